// The default nginx configuration of a lab host: Debian's layout (conf.d, sites-enabled,
// modules-enabled) with the very nginx.conf and default site a Slipway snapshot gets
// (@slipway/host-defaults, which cloud-init writes too). Pure.

import { join } from 'node:path';
import { NGINX_CONF, NGINX_CONF_PATH, NGINX_DEFAULT_SITE, NGINX_DEFAULT_SITE_LINK, NGINX_DEFAULT_SITE_PATH } from '@slipway/host-defaults';
import type { FsStep } from '../exec.js';

/** Files copied unchanged from the machine's /etc/nginx (Debian's nginx-common defaults). */
export const NGINX_COPIED_FILES = [
  'mime.types',
  'fastcgi.conf',
  'fastcgi_params',
  'proxy_params',
  'scgi_params',
  'uwsgi_params',
  'koi-utf',
  'koi-win',
  'win-utf',
  'snippets',
  'modules-enabled',
] as const;

/** Steps that fill an empty <etcNginx> (the host's /etc/nginx) with the default configuration. */
export function nginxDefaultConfigSteps(etcNginx: string, machineEtcNginx = '/etc/nginx'): FsStep[] {
  const inHost = (productionPath: string) => join(etcNginx, productionPath.replace(/^\/etc\/nginx\//, ''));
  return [
    ...NGINX_COPIED_FILES.map((f): FsStep => ({ kind: 'copy', from: join(machineEtcNginx, f), to: join(etcNginx, f) })),
    { kind: 'mkdir', path: join(etcNginx, 'conf.d') },
    { kind: 'write', file: { path: inHost(NGINX_CONF_PATH), contents: NGINX_CONF } },
    { kind: 'write', file: { path: inHost(NGINX_DEFAULT_SITE_PATH), contents: NGINX_DEFAULT_SITE } },
    { kind: 'symlink', target: NGINX_DEFAULT_SITE_PATH, path: inHost(NGINX_DEFAULT_SITE_LINK) },
  ];
}

// The default nginx configuration of a lab host: Debian's layout (conf.d, sites-enabled,
// modules-enabled), with the server_names_hash_bucket_size Slipway's snapshot sets. Pure.

import { join } from 'node:path';
import type { FsStep } from '../exec.js';

export const NGINX_CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log;
include /etc/nginx/modules-enabled/*.conf;

events {
\tworker_connections 768;
}

http {
\tsendfile on;
\ttcp_nopush on;
\ttypes_hash_max_size 2048;
\tserver_tokens off;
\tserver_names_hash_bucket_size 128;

\tinclude /etc/nginx/mime.types;
\tdefault_type application/octet-stream;

\tssl_protocols TLSv1.2 TLSv1.3;
\tssl_prefer_server_ciphers on;

\taccess_log /var/log/nginx/access.log;

\tgzip on;

\tinclude /etc/nginx/conf.d/*.conf;
\tinclude /etc/nginx/sites-enabled/*;
}
`;

export const NGINX_DEFAULT_SITE = `server {
\tlisten 80 default_server;
\tserver_name _;

\tlocation / {
\t\treturn 404;
\t}
}
`;

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

/** Steps that fill an empty <etcNginx> with the lab's default configuration. */
export function nginxDefaultConfigSteps(etcNginx: string, machineEtcNginx = '/etc/nginx'): FsStep[] {
  return [
    ...NGINX_COPIED_FILES.map(
      (f): FsStep => ({ kind: 'copy', from: join(machineEtcNginx, f), to: join(etcNginx, f) }),
    ),
    { kind: 'mkdir', path: join(etcNginx, 'conf.d') },
    { kind: 'write', file: { path: join(etcNginx, 'nginx.conf'), contents: NGINX_CONF } },
    { kind: 'write', file: { path: join(etcNginx, 'sites-available', 'default'), contents: NGINX_DEFAULT_SITE } },
    { kind: 'symlink', target: '/etc/nginx/sites-available/default', path: join(etcNginx, 'sites-enabled', 'default') },
  ];
}

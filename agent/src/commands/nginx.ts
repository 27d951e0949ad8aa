// Pure builders for nginx: the per-service site file, TLS file paths and the nginx argv.
// Every value that reaches a site file was validated by the protocol schemas (service names,
// hostnames, ports), so nothing here can inject configuration.
import { createHash } from "node:crypto";
import type { Command, FileWrite } from "../exec/types.js";

export interface TlsFiles {
  certificatePath: string;
  privateKeyPath: string;
}

export interface SiteSpec {
  service: string;
  deployment: string;
  /** Already validated hostnames; empty means the service's default host. */
  domains: readonly string[];
  hostPort: number;
  tls: TlsFiles | null;
}

/** The host name a service answers on when a release names no domain. */
export function defaultServerName(service: string): string {
  return `${service}.slipway.internal`;
}

/** One file per service in conf.d, which Debian's nginx.conf includes in its http block. */
export function sitePath(nginxDir: string, service: string): string {
  return `${nginxDir}/conf.d/slipway-${service}.conf`;
}

/** Where nginx writes each service's access log as JSON lines (the agent reads it for metrics). */
export const ACCESS_LOG_DIR = "/var/log/nginx";

/** Named like nginx's own logs, so Debian's logrotate rotates it (the agent follows the rotation). */
export function accessLogPath(service: string, dir: string = ACCESS_LOG_DIR): string {
  return `${dir}/slipway-${service}.access.log`;
}

/** The service a file name in ACCESS_LOG_DIR logs for, or null. */
export function accessLogService(fileName: string): string | null {
  return /^slipway-([a-z][a-z0-9-]{0,98})\.access\.log$/.exec(fileName)?.[1] ?? null;
}

/** The service a conf.d file name is the site of, or null for any other file. */
export function serviceFromSiteFileName(fileName: string): string | null {
  const m = /^slipway-([a-z][a-z0-9-]{0,98})\.conf$/.exec(fileName);
  return m?.[1] ?? null;
}

export function tlsDir(nginxDir: string): string {
  return `${nginxDir}/slipway-tls`;
}

/**
 * TLS files are named after their contents, so a new certificate never overwrites the one the
 * running (last good) configuration uses. "." cannot occur in a service name, so one service's
 * prefix never matches another's.
 */
export function tlsFiles(nginxDir: string, service: string, certificatePem: string, privateKeyPem: string): TlsFiles {
  const id = createHash("sha256").update(certificatePem).update("\0").update(privateKeyPem).digest("hex").slice(0, 16);
  return {
    certificatePath: `${tlsDir(nginxDir)}/${service}.${id}.crt`,
    privateKeyPath: `${tlsDir(nginxDir)}/${service}.${id}.key`,
  };
}

/** Whether a file name in tlsDir belongs to the service. */
export function isServiceTlsFile(service: string, fileName: string): boolean {
  return fileName.startsWith(`${service}.`) && /\.(crt|key)$/.test(fileName);
}

export function tlsFileWrites(files: TlsFiles, certificatePem: string, privateKeyPem: string): FileWrite[] {
  return [
    { path: files.certificatePath, contents: ensureNewline(certificatePem), mode: 0o644 },
    { path: files.privateKeyPath, contents: ensureNewline(privateKeyPem), mode: 0o600 },
  ];
}

export function siteFile(nginxDir: string, spec: SiteSpec): FileWrite {
  return { path: sitePath(nginxDir, spec.service), contents: siteContents(spec) };
}

export function siteContents(spec: SiteSpec): string {
  const names = spec.domains.length > 0 ? spec.domains.join(" ") : defaultServerName(spec.service);
  const upgrade = upgradeVariable(spec.service);
  const logFormat = `slipway_log_${spec.service.replace(/-/g, "_")}`;
  const accessLog = `    access_log ${accessLogPath(spec.service)} ${logFormat};`;
  const location = [
    "    location / {",
    `        proxy_pass http://127.0.0.1:${spec.hostPort};`,
    "        proxy_http_version 1.1;",
    "        proxy_set_header Host $host;",
    "        proxy_set_header X-Real-IP $remote_addr;",
    "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "        proxy_set_header X-Forwarded-Proto $scheme;",
    "        proxy_set_header Upgrade $http_upgrade;",
    `        proxy_set_header Connection $${upgrade};`,
    "    }",
  ];
  const lines = [
    `# Managed by the Slipway agent (service ${spec.service}, deployment ${spec.deployment}). Rewritten on every release.`,
    `map $http_upgrade $${upgrade} {`,
    "    default upgrade;",
    "    '' close;",
    "}",
    // Request metrics: status and total time of every request, one JSON object per line.
    `log_format ${logFormat} escape=json '{"t":$msec,"s":$status,"rt":$request_time}';`,
    "",
    "server {",
    "    listen 80;",
    `    server_name ${names};`,
    accessLog,
    "",
    ...location,
    "}",
  ];
  if (spec.tls) {
    lines.push(
      "",
      "server {",
      "    listen 443 ssl;",
      `    server_name ${names};`,
      `    ssl_certificate ${spec.tls.certificatePath};`,
      `    ssl_certificate_key ${spec.tls.privateKeyPath};`,
      accessLog,
      "",
      ...location,
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The deployment whose release wrote the site (a rollback's, even when it resumed an older container). */
export function parseSiteDeployment(contents: string): string | null {
  return /^# Managed by the Slipway agent \(service [^,]+, deployment ([0-9a-f-]{36})\)/m.exec(contents)?.[1] ?? null;
}

/** The host port the site proxies to (how the agent knows which container is live). */
export function parseSiteHostPort(contents: string): number | null {
  const m = /proxy_pass http:\/\/127\.0\.0\.1:(\d+);/.exec(contents);
  return m ? Number(m[1]) : null;
}

export function nginxTestCommand(nginxDir: string): Command {
  return { argv: ["nginx", "-t", "-q", "-c", `${nginxDir}/nginx.conf`], timeoutMs: 30_000 };
}

/** A graceful reload: old workers finish their in-flight requests, new ones use the new config. */
export function nginxReloadCommand(nginxDir: string): Command {
  return { argv: ["nginx", "-s", "reload", "-c", `${nginxDir}/nginx.conf`], timeoutMs: 30_000 };
}

/** nginx variable names allow no hyphens. */
function upgradeVariable(service: string): string {
  return `slipway_upgrade_${service.replace(/-/g, "_")}`;
}

function ensureNewline(s: string): string {
  return s.endsWith("\n") ? s : `${s}\n`;
}

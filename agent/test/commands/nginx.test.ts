import { describe, expect, it } from "vitest";
import {
  accessLogPath,
  accessLogService,
  isServiceTlsFile,
  nginxReloadCommand,
  nginxTestCommand,
  parseSiteDeployment,
  parseSiteHostPort,
  serviceFromSiteFileName,
  siteContents,
  siteFile,
  tlsFileWrites,
  tlsFiles,
} from "../../src/commands/nginx.js";

const DEP = "0f8fad5b-d9cb-469f-a165-70867728950e";

describe("nginx builders", () => {
  it("builds the site file of a service, one per service in conf.d", () => {
    const f = siteFile("/etc/nginx", { service: "shop-web", deployment: DEP, domains: ["shop.test", "www.shop.test"], hostPort: 49153, tls: null });
    expect(f.path).toBe("/etc/nginx/conf.d/slipway-shop-web.conf");
    expect(f.contents).toBe(`# Managed by the Slipway agent (service shop-web, deployment ${DEP}). Rewritten on every release.
map $http_upgrade $slipway_upgrade_shop_web {
    default upgrade;
    '' close;
}
log_format slipway_log_shop_web escape=json '{"t":$msec,"s":$status,"rt":$request_time}';

server {
    listen 80;
    server_name shop.test www.shop.test;
    access_log /var/log/nginx/slipway-shop-web.access.log slipway_log_shop_web;

    location / {
        proxy_pass http://127.0.0.1:49153;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $slipway_upgrade_shop_web;
    }
}
`);
  });

  it("adds a 443 server naming content-addressed certificate files when TLS is given", () => {
    const tls = tlsFiles("/etc/nginx", "web", "CERT", "KEY");
    expect(tls.certificatePath).toMatch(/^\/etc\/nginx\/slipway-tls\/web\.[0-9a-f]{16}\.crt$/);
    expect(tls.privateKeyPath).toBe(tls.certificatePath.replace(/\.crt$/, ".key"));
    expect(tlsFiles("/etc/nginx", "web", "CERT", "KEY")).toEqual(tls);
    expect(tlsFiles("/etc/nginx", "web", "CERT2", "KEY")).not.toEqual(tls);

    const text = siteContents({ service: "web", deployment: DEP, domains: ["a.test"], hostPort: 32768, tls });
    expect(text.endsWith(`
server {
    listen 443 ssl;
    server_name a.test;
    ssl_certificate ${tls.certificatePath};
    ssl_certificate_key ${tls.privateKeyPath};
    access_log /var/log/nginx/slipway-web.access.log slipway_log_web;

    location / {
        proxy_pass http://127.0.0.1:32768;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $slipway_upgrade_web;
    }
}
`)).toBe(true);
    expect(tlsFileWrites(tls, "CERT", "KEY")).toEqual([
      { path: tls.certificatePath, contents: "CERT\n", mode: 0o644 },
      { path: tls.privateKeyPath, contents: "KEY\n", mode: 0o600 },
    ]);
  });

  it("answers on the service's default host when a release names no domain", () => {
    expect(siteContents({ service: "api", deployment: DEP, domains: [], hostPort: 1, tls: null })).toContain("    server_name api.slipway.internal;\n");
  });

  it("reads back the port a site proxies to", () => {
    expect(parseSiteHostPort(siteContents({ service: "api", deployment: DEP, domains: [], hostPort: 40001, tls: null }))).toBe(40001);
    expect(parseSiteHostPort("server { }")).toBeNull();
  });

  it("names each service's JSON access log so that the agent finds it again, and nothing else", () => {
    expect(accessLogPath("shop-web")).toBe("/var/log/nginx/slipway-shop-web.access.log");
    expect(accessLogService("slipway-shop-web.access.log")).toBe("shop-web");
    expect(accessLogService("slipway-shop-web.access.log.1")).toBeNull();
    expect(accessLogService("access.log")).toBeNull();
    expect(accessLogService("slipway-../x.access.log")).toBeNull();
  });

  it("tells a service's TLS files from another's", () => {
    expect(isServiceTlsFile("web", "web.0123456789abcdef.crt")).toBe(true);
    expect(isServiceTlsFile("web", "web-api.0123456789abcdef.crt")).toBe(false);
    expect(isServiceTlsFile("web", "web.0123456789abcdef.txt")).toBe(false);
  });

  it("builds nginx argv (no shell)", () => {
    expect(nginxTestCommand("/etc/nginx")).toEqual({ argv: ["nginx", "-t", "-q", "-c", "/etc/nginx/nginx.conf"], timeoutMs: 30_000 });
    expect(nginxReloadCommand("/etc/nginx")).toEqual({ argv: ["nginx", "-s", "reload", "-c", "/etc/nginx/nginx.conf"], timeoutMs: 30_000 });
  });

  it("reads back which deployment's release wrote a site", () => {
    expect(parseSiteDeployment(siteContents({ service: "shop-web", deployment: DEP, domains: [], hostPort: 1, tls: null }))).toBe(DEP);
    expect(parseSiteDeployment("server { listen 80; }\n")).toBeNull();
  });

  it("knows a service's site file by its name, and nothing else", () => {
    expect(serviceFromSiteFileName("slipway-shop-web.conf")).toBe("shop-web");
    expect(serviceFromSiteFileName("default.conf")).toBeNull();
    expect(serviceFromSiteFileName("slipway-web.conf.1a2b.tmp")).toBeNull();
    expect(serviceFromSiteFileName("slipway-Web.conf")).toBeNull();
  });
});

// Helpers for the agent's lab tests: install the bundle on a host, reach the agent through an
// SSH tunnel (ssh2 forwardOut + undici), plain HTTP to the host's nginx, build contexts.
import { copyFileSync, mkdirSync, writeFileSync, chmodSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Client } from "ssh2";
import { pack } from "tar-stream";
import { Agent, request, type Dispatcher } from "undici";
import { tokenSha256 } from "../../src/http/auth.js";
import { AGENT_BUNDLE_PATH, AGENT_CONFIG_PATH, AGENT_SHIM_CONTENTS, AGENT_SHIM_PATH } from "../../src/layout.js";
import { AgentStreamLine, DEFAULT_AGENT_PORT } from "../../src/protocol/index.js";

/** Puts the bundle, the shim and a config into a lab host's /opt/slipway (its folder on disk). */
export function installAgent(hostFs: string, bundlePath: string, token: string): void {
  const at = (p: string) => join(hostFs, p);
  mkdirSync(at("/opt/slipway/agent"), { recursive: true });
  mkdirSync(at("/opt/slipway/bin"), { recursive: true });
  copyFileSync(bundlePath, at(AGENT_BUNDLE_PATH));
  writeFileSync(at(AGENT_SHIM_PATH), AGENT_SHIM_CONTENTS);
  chmodSync(at(AGENT_SHIM_PATH), 0o755);
  writeFileSync(at(AGENT_CONFIG_PATH), JSON.stringify({ port: DEFAULT_AGENT_PORT, tokenSha256: tokenSha256(token) }, null, 2), { mode: 0o600 });
}

export interface Tunnel {
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

/** An SSH connection whose every HTTP connection is a forwarded channel to the agent's loopback port. */
export function openTunnel(host: string, privateKey: string): Promise<Tunnel> {
  return new Promise((resolve, reject) => {
    const ssh = new Client();
    ssh.on("error", reject);
    ssh.on("ready", () => {
      const dispatcher = new Agent({
        connect: (_opts, cb) => {
          ssh.forwardOut("127.0.0.1", 0, "127.0.0.1", DEFAULT_AGENT_PORT, (err, channel) => {
            if (err) cb(err, null);
            else cb(null, channel as never);
          });
        },
      });
      resolve({
        dispatcher,
        close: async () => {
          await dispatcher.close().catch(() => {});
          ssh.end();
        },
      });
    });
    ssh.connect({ host, port: 22, username: "root", privateKey, readyTimeout: 15_000, hostVerifier: () => true });
  });
}

export class AgentClient {
  constructor(
    private readonly tunnel: Tunnel,
    private readonly token: string,
  ) {}

  raw(method: "GET" | "POST", path: string, body?: string | Buffer | Readable, headers: Record<string, string> = {}) {
    return request(`http://agent${path}`, {
      method,
      dispatcher: this.tunnel.dispatcher,
      headers: { authorization: `Bearer ${this.token}`, ...headers },
      body,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
  }

  async json<T = unknown>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.raw(method, path, body === undefined ? undefined : JSON.stringify(body), { "content-type": "application/json" });
    return { status: res.statusCode, body: (await res.body.json()) as T };
  }

  /** A streaming endpoint: every NDJSON line, validated. */
  async stream(method: "GET" | "POST", path: string, body?: string | Buffer | Readable, contentType = "application/json"): Promise<AgentStreamLine[]> {
    const res = await this.raw(method, path, body, { "content-type": contentType });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${res.statusCode}: ${text}`);
    return text
      .trim()
      .split("\n")
      .map((l) => AgentStreamLine.parse(JSON.parse(l)));
  }
}

export function resultOf<T>(lines: AgentStreamLine[]): T {
  const last = lines[lines.length - 1];
  if (last?.type !== "result") throw new Error(`stream did not end with a result: ${JSON.stringify(last)}`);
  return last.result as T;
}

/** GET http://<ip>/ with a Host header on a new connection each time (like curl). */
export function getViaNginx(ip: string, hostHeader: string, path = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port: 80, path, headers: { host: hostHeader }, agent: false, timeout: 5_000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

export interface LoadReport {
  ok: number;
  failed: number;
  bodies: Record<string, number>;
  failures: string[];
}

/** Several loops of requests until stopped; counts every answer that is not a 200. */
export function startLoad(ip: string, hostHeader: string, concurrency = 4): { stop(): Promise<LoadReport> } {
  const report: LoadReport = { ok: 0, failed: 0, bodies: {}, failures: [] };
  let running = true;
  const loops = Array.from({ length: concurrency }, async () => {
    while (running) {
      try {
        const r = await getViaNginx(ip, hostHeader);
        if (r.status === 200) {
          report.ok++;
          const b = r.body.trim();
          report.bodies[b] = (report.bodies[b] ?? 0) + 1;
        } else {
          report.failed++;
          if (report.failures.length < 10) report.failures.push(`HTTP ${r.status}: ${r.body.slice(0, 100)}`);
        }
      } catch (e) {
        report.failed++;
        if (report.failures.length < 10) report.failures.push((e as Error).message);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}

/** A busybox web app serving its version at / and a health file at /up; it stops on SIGTERM. */
export async function appContext(version: string, opts: { port?: number } = {}): Promise<Buffer> {
  const port = opts.port ?? 8080;
  const p = pack();
  p.entry({ name: "Dockerfile" }, `FROM slipway-lab/busybox:latest\nCOPY www /www\nEXPOSE ${port}\nCMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p ${port} -h /www & wait"]\n`);
  p.entry({ name: "www/index.html" }, `${version}\n`);
  p.entry({ name: "www/up" }, "ok\n");
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

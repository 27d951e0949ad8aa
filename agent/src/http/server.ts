// The agent's HTTP server: loopback only, every request authenticated, then routed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { AgentActions } from "../actions/index.js";
import { AgentFailure } from "../errors.js";
import { isAuthorized } from "./auth.js";
import { asFailure, sendError } from "./respond.js";
import { match } from "./routes.js";

export interface AgentServerOptions {
  port: number;
  tokenSha256: string;
  actions: AgentActions;
  /** 127.0.0.1 in production; never a public address. */
  host?: string;
  log?: (line: string) => void;
}

export interface AgentServer {
  start(): Promise<{ port: number }>;
  stop(): Promise<void>;
}

export function createAgentServer(opts: AgentServerOptions): AgentServer {
  const log = opts.log ?? (() => {});
  const server = http.createServer((req, res) => {
    void handle(req, res).catch((e: unknown) => {
      const f = asFailure(e);
      if (f.code === "internal") log(`${req.method} ${req.url}: ${f.message}`);
      sendError(res, f);
    });
  });
  // Builds and releases stream for minutes.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!isAuthorized(req.headers.authorization, opts.tokenSha256)) {
      req.resume();
      res.setHeader("www-authenticate", "Bearer");
      throw new AgentFailure("unauthorized", "missing or wrong bearer token");
    }
    const url = new URL(req.url ?? "/", "http://agent");
    const found = match(req.method ?? "GET", url.pathname);
    if (found instanceof AgentFailure) {
      req.resume();
      throw found;
    }
    const query = Object.fromEntries(url.searchParams);
    await found.route.handle({ req, res, params: found.params, query, actions: opts.actions });
  }

  return {
    start: () =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port, opts.host ?? "127.0.0.1", () => {
          server.off("error", reject);
          resolve({ port: (server.address() as AddressInfo).port });
        });
      }),
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

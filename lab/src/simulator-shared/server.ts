import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Reply } from "./router.js";

// The HTTP plumbing both simulators share: JSON in, JSON out, on 127.0.0.1. A handler may
// return HANG to leave the request unanswered (a fault); close() drops such connections.

export const HANG = Symbol("hang");

export interface IncomingCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** Parsed JSON body; `undefined` when empty; the raw text when it is not JSON. */
  body: unknown;
  bodyIsJson: boolean;
}

export type CallHandler = (call: IncomingCall) => Promise<Reply | typeof HANG>;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<{ body: unknown; bodyIsJson: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return { body: undefined, bodyIsJson: true };
  try {
    return { body: JSON.parse(text) as unknown, bodyIsJson: true };
  } catch {
    return { body: text, bodyIsJson: false };
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  headers["content-type"] = "application/json; charset=utf-8";
  res.writeHead(reply.status, headers).end(JSON.stringify(reply.body));
}

export async function startHttpServer(handle: CallHandler, port = 0): Promise<RunningServer> {
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const { body, bodyIsJson } = await readBody(req);
      const reply = await handle({
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        bodyIsJson,
      });
      if (reply !== HANG) send(res, reply);
    })().catch((error: unknown) => {
      // A bug in a simulator must surface to the client, not kill the test process.
      if (!res.headersSent) send(res, { status: 500, body: { error: String(error) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The bearer token of a call, or undefined. */
export function bearerToken(headers: IncomingMessage["headers"]): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "");
  return match?.[1];
}

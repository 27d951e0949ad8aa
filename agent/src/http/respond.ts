// Writing answers: JSON, AgentError, NDJSON streams, raw byte streams.
import type { ServerResponse } from "node:http";
import { pipeline } from "node:stream/promises";
import type { ZodError } from "zod";
import { AgentFailure } from "../errors.js";
import { STREAM_HEARTBEAT_MS, type AgentError, type AgentStreamLine } from "../protocol/index.js";

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, failure: AgentFailure): void {
  const body: AgentError = { error: { code: failure.code, message: failure.message } };
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, failure.status, body);
}

/** Turns anything thrown into an AgentFailure; unexpected errors keep their message only. */
export function asFailure(e: unknown): AgentFailure {
  if (e instanceof AgentFailure) return e;
  return new AgentFailure("internal", e instanceof Error ? e.message : String(e));
}

export function invalid(where: string, error: ZodError): AgentFailure {
  const detail = error.issues.map((i) => `${[where, ...i.path.map(String)].join(".")}: ${i.message}`).join("; ");
  return new AgentFailure("invalid_request", detail);
}

/**
 * An NDJSON answer: every emitted line as it happens, then the action's result line, or an
 * error line when it throws. A quiet stretch gets a heartbeat line every STREAM_HEARTBEAT_MS,
 * so the control plane can tell a slow step from a lost server. The action runs to its end even
 * if the client goes away; `clientGone` tells it when the connection closed before the answer
 * ended (the control plane's process died), for an action that should then stop early.
 */
export async function sendStream(
  res: ServerResponse,
  run: (emit: (l: AgentStreamLine) => void, clientGone: AbortSignal) => Promise<unknown>,
): Promise<void> {
  const gone = new AbortController();
  res.once("close", () => {
    if (!res.writableEnded) gone.abort();
  });
  res.writeHead(200, { "content-type": "application/x-ndjson", "cache-control": "no-cache" });
  res.flushHeaders();
  let lastWrite = Date.now();
  const write = (l: AgentStreamLine) => {
    if (res.destroyed || res.writableEnded) return;
    res.write(`${JSON.stringify(l)}\n`);
    lastWrite = Date.now();
  };
  const heartbeat = setInterval(() => {
    if (Date.now() - lastWrite >= STREAM_HEARTBEAT_MS / 2) write({ type: "heartbeat" });
  }, STREAM_HEARTBEAT_MS);
  try {
    write({ type: "result", result: await run(write, gone.signal) });
  } catch (e) {
    const f = asFailure(e);
    write({ type: "error", code: f.code, message: f.message });
  } finally {
    clearInterval(heartbeat);
  }
  if (!res.destroyed) res.end();
}

export async function sendBytes(res: ServerResponse, contentType: string, body: NodeJS.ReadableStream): Promise<void> {
  res.writeHead(200, { "content-type": contentType });
  await pipeline(body, res).catch(() => res.destroy());
}

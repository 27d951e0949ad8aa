import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { Readable } from "node:stream";
import { FormData, request, Response } from "undici";
import WebSocket from "ws";
import { SlipwayGraphQLError, SlipwayTransportError } from "./errors.js";
import { OperationEventsDocument, type OperationEventFieldsFragment } from "./generated/graphql.js";

export interface ClientOptions {
  /** The API's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** An API or session token; sent as `Authorization: Bearer`. */
  token?: string;
  /** Per-request deadline for queries and mutations. Default 30 s. */
  timeoutMs?: number;
  /** How often a dropped subscription reconnects before giving up. Default 10. */
  reconnectAttempts?: number;
}

export interface SlipwayClient {
  /** Runs a query or mutation. Domain errors come back as typed union members in the result. */
  request<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, ...variables: VariablesArg<V>): Promise<R>;
  /**
   * Runs a mutation that takes files (GraphQL multipart request): each entry of `files` is sent as
   * a file part and stands for the variable of the same name, e.g.
   * `upload(DeployDocument, { input }, { archive: new File([bytes], "app.tar.gz") })`.
   */
  upload<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: NoInfer<V>,
    files: Partial<Record<keyof NoInfer<V> & string, Blob>>,
    options?: UploadOptions,
  ): Promise<R>;
  /** Every result of a subscription, as an async iterator; errors are thrown. */
  subscribe<R, V extends Record<string, unknown>>(document: TypedDocumentNode<R, V>, ...variables: VariablesArg<V>): AsyncIterable<R>;
  /**
   * An operation's events from `afterSeq` on, until it ends. A dropped connection reconnects and
   * resumes after the last event seen, so nothing is missed or repeated.
   */
  operationEvents(operationId: string, options?: { afterSeq?: number }): AsyncIterable<OperationEventFieldsFragment>;
  close(): Promise<void>;
}

export interface UploadOptions {
  /** Called as the request body goes out: bytes sent so far of the whole request. */
  onProgress?(sentBytes: number, totalBytes: number): void;
}

type VariablesArg<V> = Record<string, never> extends V ? [variables?: V] : [variables: V];

export function createClient(options: ClientOptions): SlipwayClient {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const reconnectAttempts = options.reconnectAttempts ?? 10;
  let ws: WsClient | undefined;

  const socket = (): WsClient =>
    (ws ??= createWsClient({
      url: options.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: options.token ? { authorization: `Bearer ${options.token}` } : {},
      lazy: true,
      // Reconnecting is ours to do (see operationEvents): only we know where to resume from.
      retryAttempts: 0,
    }));

  async function run<R>(query: string, variables: unknown): Promise<R> {
    return post(JSON.stringify({ query, variables }), { "content-type": "application/json" });
  }

  async function runWithFiles<R>(
    query: string,
    variables: Record<string, unknown>,
    files: Record<string, Blob | undefined>,
    upload: UploadOptions = {},
  ): Promise<R> {
    const parts = Object.entries(files).filter((entry): entry is [string, Blob] => entry[1] !== undefined);
    const form = new FormData();
    // Files travel as parts after `operations` and `map`; their variables are null in the JSON.
    form.append("operations", JSON.stringify({ query, variables: { ...variables, ...Object.fromEntries(parts.map(([name]) => [name, null])) } }));
    form.append("map", JSON.stringify(Object.fromEntries(parts.map(([name], i) => [String(i), [`variables.${name}`]]))));
    parts.forEach(([name, blob], i) => form.append(String(i), blob, blob instanceof File ? blob.name : name));
    // Encoded up front: the server checks the declared length before reading, and progress can
    // be told as a share of it.
    const encoded = new Response(form);
    const body = new Uint8Array(await encoded.arrayBuffer());
    const headers = { "content-type": encoded.headers.get("content-type")!, "content-length": String(body.length) };
    return post(upload.onProgress ? chunksOf(body, upload.onProgress) : body, headers);
  }

  async function post<R>(payload: string | Uint8Array | Readable, headers: Record<string, string>): Promise<R> {
    let status: number;
    let text: string;
    try {
      const response = await request(options.url, {
        method: "POST",
        headers: {
          ...headers,
          accept: "application/graphql-response+json, application/json",
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: payload,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (cause) {
      throw new SlipwayTransportError(`Could not reach Slipway at ${options.url}: ${(cause as Error).message}`, { cause });
    }
    let body: { data?: R | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new SlipwayTransportError(notGraphQL(options.url, status, text), { cause });
    }
    if (body.errors?.length) throw new SlipwayGraphQLError(body.errors, status);
    if (body.data == null) throw new SlipwayTransportError(`Slipway answered ${status} without data`);
    return body.data;
  }

  async function* iterate<R>(query: string, variables: unknown): AsyncGenerator<R> {
    const iterator = socket().iterate<R>({ query, variables: variables as Record<string, unknown> });
    try {
      for await (const result of iterator) {
        if (result.errors?.length) throw new SlipwayGraphQLError(result.errors as SlipwayGraphQLError["errors"]);
        yield result.data as R;
      }
    } catch (error) {
      if (error instanceof SlipwayGraphQLError) throw error;
      if (Array.isArray(error)) throw new SlipwayGraphQLError(error);
      throw new SlipwayTransportError(`The subscription connection to ${options.url} failed`, { cause: error });
    }
  }

  return {
    request: (document, ...[variables]) => run(print(document), variables ?? {}),
    upload: (document, variables, files, upload) => runWithFiles(print(document), variables, files, upload),
    subscribe: (document, ...[variables]) => iterate(print(document), variables ?? {}),
    async *operationEvents(operationId, { afterSeq = 0 } = {}) {
      let last = afterSeq;
      let failures = 0;
      while (true) {
        try {
          for await (const result of iterate<{ operationEvents: OperationEventFieldsFragment }>(print(OperationEventsDocument), {
            operationId,
            afterSeq: last,
          })) {
            const event = result.operationEvents;
            if (event.seq <= last) continue;
            last = event.seq;
            failures = 0;
            yield event;
          }
          return;
        } catch (error) {
          if (!(error instanceof SlipwayTransportError) || ++failures > reconnectAttempts) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** failures, 5_000)));
        }
      }
    },
    async close() {
      await ws?.dispose();
      ws = undefined;
    },
  };
}

/** The body in 64 KiB chunks, telling how much has gone out. */
function chunksOf(body: Uint8Array, onProgress: (sent: number, total: number) => void): Readable {
  const CHUNK = 64 * 1024;
  return Readable.from(
    (function* () {
      for (let sent = 0; sent < body.length; sent += CHUNK) {
        const chunk = body.subarray(sent, sent + CHUNK);
        onProgress(sent + chunk.length, body.length);
        yield chunk;
      }
    })(),
  );
}

/** What to say when the answer is not GraphQL, e.g. when the URL is the console's, not the API's. */
export function notGraphQL(url: string, status: number, text: string): string {
  const apiUrl = /<meta name="slipway-api-url" content="([^"]+)"/.exec(text)?.[1];
  if (apiUrl) return `${url} is Slipway's web console, not its API: the API is at ${apiUrl}`;
  if (text.includes("/_next/")) {
    // The console without SLIPWAY_API_URL finds the API where this guess does.
    const guess = new URL(url);
    guess.port = "4000";
    guess.pathname = "/graphql";
    return `${url} looks like Slipway's web console, not its API: the API is usually at ${guess.toString()}`;
  }
  if (/^\s*<(!doctype|html)/i.test(text)) {
    return `${url} answered ${status} with a web page, not GraphQL: give the API's address (by default port 4000, path /graphql)`;
  }
  return `Slipway answered ${status} with something that is not JSON`;
}

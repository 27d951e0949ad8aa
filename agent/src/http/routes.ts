// Routing: each request is parsed with the protocol's schemas and handed to one action.
// Nothing else happens here.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import type { AgentActions } from "../actions/index.js";
import { AgentFailure } from "../errors.js";
import {
  AGENT_API_PREFIX,
  BuildQuery,
  ExportQuery,
  GiveUpRequest,
  LoadQuery,
  LogsQuery,
  MetricsRequest,
  PullRequest,
  ReleaseRequest,
  RemoveImagesRequest,
  RetireRequest,
  ServiceName,
} from "../protocol/index.js";
import { invalid, sendBytes, sendJson, sendStream } from "./respond.js";

/** JSON bodies are small (a release's env and TLS material); archives are streamed, not read. */
const JSON_BODY_LIMIT = 8 * 1024 * 1024;

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: Record<string, string>;
  actions: AgentActions;
}

interface Route {
  method: "GET" | "POST";
  path: RegExp;
  handle: (ctx: Ctx) => Promise<void>;
}

const P = AGENT_API_PREFIX;

export const ROUTES: Route[] = [
  { method: "GET", path: re(`${P}/health`), handle: async (c) => sendJson(c.res, 200, await c.actions.health()) },
  { method: "GET", path: re(`${P}/stats`), handle: async (c) => sendJson(c.res, 200, await c.actions.stats()) },
  { method: "GET", path: re(`${P}/services`), handle: async (c) => sendJson(c.res, 200, await c.actions.listServices()) },
  {
    method: "GET",
    path: re(`${P}/services/([^/]+)`),
    handle: async (c) => sendJson(c.res, 200, await c.actions.serviceStatus(parse(ServiceName, c.params[0], "service"))),
  },
  {
    method: "GET",
    path: re(`${P}/services/([^/]+)/logs`),
    handle: async (c) => {
      const service = parse(ServiceName, c.params[0], "service");
      const q = parse(LogsQuery, c.query, "query");
      await sendStream(c.res, (emit) => c.actions.serviceLogs(service, q.tail, emit));
    },
  },
  {
    method: "POST",
    path: re(`${P}/metrics`),
    handle: async (c) => sendJson(c.res, 200, await c.actions.collectMetrics(parse(MetricsRequest, await readJson(c.req), "body"))),
  },
  {
    method: "POST",
    path: re(`${P}/services/([^/]+)/retire`),
    handle: async (c) => {
      const service = parse(ServiceName, c.params[0], "service");
      const body = parse(RetireRequest, await readJson(c.req), "body");
      sendJson(c.res, 200, await c.actions.retireService(service, body.drainSeconds));
    },
  },
  {
    method: "POST",
    path: re(`${P}/releases`),
    handle: async (c) => {
      const body = parse(ReleaseRequest, await readJson(c.req), "body");
      await sendStream(c.res, (emit, clientGone) => c.actions.release(body, emit, clientGone));
    },
  },
  {
    method: "POST",
    path: re(`${P}/releases/give-up`),
    handle: async (c) => sendJson(c.res, 200, await c.actions.giveUpRelease(parse(GiveUpRequest, await readJson(c.req), "body"))),
  },
  {
    method: "POST",
    path: re(`${P}/images/build`),
    handle: async (c) => {
      const q = parse(BuildQuery, c.query, "query");
      await sendStream(c.res, (emit) => c.actions.buildImage(q, c.req, emit));
    },
  },
  {
    method: "POST",
    path: re(`${P}/images/pull`),
    handle: async (c) => {
      const body = parse(PullRequest, await readJson(c.req), "body");
      await sendStream(c.res, (emit) => c.actions.pullImage(body, emit));
    },
  },
  {
    method: "POST",
    path: re(`${P}/images/load`),
    handle: async (c) => {
      const q = parse(LoadQuery, c.query, "query");
      await sendStream(c.res, () => c.actions.loadImages(q, c.req));
    },
  },
  {
    method: "GET",
    path: re(`${P}/images/export`),
    handle: async (c) => {
      const q = parse(ExportQuery, c.query, "query");
      await sendBytes(c.res, "application/x-tar", await c.actions.exportImage(q.tag));
    },
  },
  {
    method: "GET",
    path: re(`${P}/images`),
    handle: async (c) => {
      const service = c.query.service === undefined ? undefined : parse(ServiceName, c.query.service, "query.service");
      sendJson(c.res, 200, await c.actions.listImages(service));
    },
  },
  {
    method: "POST",
    path: re(`${P}/images/remove`),
    handle: async (c) => {
      const body = parse(RemoveImagesRequest, await readJson(c.req), "body");
      sendJson(c.res, 200, await c.actions.removeImages(body.ids));
    },
  },
];

/** The route for a request, or the failure to answer (404, 405). */
export function match(method: string, pathname: string): { route: Route; params: string[] } | AgentFailure {
  let pathMatched = false;
  for (const route of ROUTES) {
    const m = route.path.exec(pathname);
    if (!m) continue;
    pathMatched = true;
    if (route.method === method) return { route, params: m.slice(1).map(decodeURIComponent) };
  }
  return pathMatched
    ? new AgentFailure("method_not_allowed", `${method} is not allowed on ${pathname}`)
    : new AgentFailure("not_found", `no endpoint ${pathname}`);
}

function re(path: string): RegExp {
  return new RegExp(`^${path}$`);
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw invalid(where, r.error);
  return r.data;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > JSON_BODY_LIMIT) throw new AgentFailure("payload_too_large", `JSON body over ${JSON_BODY_LIMIT} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    return JSON.parse(text);
  } catch {
    throw new AgentFailure("invalid_request", "body: not valid JSON");
  }
}

import type { Socket } from "node:net";
import type { Duplex, Readable } from "node:stream";
import {
  AGENT_API_PREFIX, AgentError, AgentStreamLine, BuildQuery, ExportQuery, GIVE_UP_WAIT_MS, GiveUpRequest, GiveUpResult, HealthResponse, ImageList, LoadQuery,
  LoadResult, LogsQuery, MetricsRequest, MetricsResponse, PullRequest, ReleaseRequest, RemoveImagesRequest, RemoveImagesResult, RetireRequest, RetireResult,
  ServiceName, ServiceStatus, ServiceStatusList, STREAM_SILENCE_LIMIT_MS, StatsResponse,
} from "@slipway/agent/protocol";
import { errors as undiciErrors, Pool, type Dispatcher } from "undici";
import type { z } from "zod";

export interface AgentClientOptions {
  /** Opens a new byte stream to the agent (an SSH channel to its loopback port). */
  connect: () => Promise<Duplex>;
  token: string;
  /** Parallel requests to one agent (a long build must not block a health check). */
  connections?: number;
  /** For plain calls; streaming calls wait as long as the agent keeps sending. */
  timeoutMs?: number;
  /** Called whenever the agent answers (for "last seen"). */
  onAnswer?: () => void;
  /** Why the tunnel broke, when its transport knows (the SSH connection ended): named in the error. */
  tunnelLoss?: () => string | null;
}

/** The agent answered with an error (or not in the protocol's shape). Never carries the token. */
export class AgentRequestError extends Error {
  override name = "AgentRequestError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The agent could not be reached, or stopped answering mid-call (its connection broke, or a
 * stream fell silent for longer than its heartbeats allow): what it did meanwhile is unknown.
 */
export class AgentUnreachableError extends Error {
  override name = "AgentUnreachableError";
}

const MAX_LINE_BYTES = 1024 * 1024;

/**
 * The agent's HTTP API (agent/src/protocol) over a tunnel: requests are built from the protocol's
 * schemas and every answer is validated before it is returned.
 */
export class AgentClient {
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(private readonly options: AgentClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    // The origin is never resolved: every connection is the tunnel `connect` opens.
    this.pool = new Pool("http://slipway-agent", {
      connections: options.connections ?? 4,
      // An idle connection is let go well before the agent's (Node's 5 s) would drop it, so a
      // request is rarely sent on a connection the agent is closing (see the retry in send()).
      keepAliveTimeout: 2_000,
      keepAliveMaxTimeout: 2_000,
      connect: (_opts, callback) => {
        options.connect().then(
          (stream) => callback(null, stream as unknown as Socket),
          (error: Error) => callback(error, null),
        );
      },
    });
  }

  async health(): Promise<HealthResponse> {
    return this.json("GET", "/health", HealthResponse);
  }

  /** Deploy or roll back: streams state lines; the last line is the ReleaseResult (see streamResult). */
  release(request: z.input<typeof ReleaseRequest>): AsyncGenerator<AgentStreamLine> {
    return this.stream("POST", "/releases", { body: JSON.stringify(ReleaseRequest.parse(request)), contentType: "application/json" });
  }

  /**
   * Gives up the deployment's release on this server (the deploy was interrupted): answers once a
   * release before its switch has stopped, with whether the server now runs it.
   */
  async giveUp(service: string, deployment: string): Promise<GiveUpResult> {
    const body = JSON.stringify(GiveUpRequest.parse({ service, deployment }));
    return this.json("POST", "/releases/give-up", GiveUpResult, { body, contentType: "application/json", timeoutMs: GIVE_UP_WAIT_MS + 10_000 });
  }

  /** Builds from a tar build context; the result is an ImageSummary. */
  build(query: z.input<typeof BuildQuery>, context: Readable): AsyncGenerator<AgentStreamLine> {
    return this.stream("POST", "/images/build", { query: BuildQuery.parse(query), body: context, contentType: "application/x-tar" });
  }

  /** Tags an image for a deployment, pulling it first when needed; the result is an ImageSummary. */
  pull(request: z.input<typeof PullRequest>): AsyncGenerator<AgentStreamLine> {
    return this.stream("POST", "/images/pull", { body: JSON.stringify(PullRequest.parse(request)), contentType: "application/json" });
  }

  /** Loads a `docker save` tar for a deployment (the agent records what it loaded as Slipway's). */
  async load(query: z.input<typeof LoadQuery>, tar: Readable): Promise<z.infer<typeof LoadResult>> {
    return streamResult(this.stream("POST", "/images/load", { query: LoadQuery.parse(query), body: tar, contentType: "application/x-tar" }), LoadResult);
  }

  /** A `docker save` tar of one tag, as a stream; the caller must consume or destroy it. */
  async export(tag: string): Promise<Readable> {
    const response = await this.send("GET", "/images/export", { query: ExportQuery.parse({ tag }), streaming: true });
    return response.body;
  }

  async listImages(service?: string): Promise<z.infer<typeof ImageList>> {
    return this.json("GET", "/images", ImageList, { query: service === undefined ? {} : { service: ServiceName.parse(service) } });
  }

  async removeImages(ids: string[]): Promise<z.infer<typeof RemoveImagesResult>> {
    const body = JSON.stringify(RemoveImagesRequest.parse({ ids }));
    return this.json("POST", "/images/remove", RemoveImagesResult, { body, contentType: "application/json" });
  }

  /** Every service the agent routes, with what each runs. */
  async listServices(): Promise<z.infer<typeof ServiceStatusList>> {
    return this.json("GET", "/services", ServiceStatusList);
  }

  async serviceStatus(service: string): Promise<ServiceStatus> {
    return this.json("GET", `/services/${encodeURIComponent(ServiceName.parse(service))}`, ServiceStatus);
  }

  /** The last lines of the service's current container, as `log` lines; the result is LogsResult. */
  serviceLogs(service: string, query: z.input<typeof LogsQuery> = {}): AsyncGenerator<AgentStreamLine> {
    const { tail } = LogsQuery.parse(query);
    return this.stream("GET", `/services/${encodeURIComponent(ServiceName.parse(service))}/logs`, { query: { tail: String(tail) } });
  }

  /** Counters and access-log increments since the given cursors (a quick call: it never waits for Docker's second sample). */
  async metrics(request: z.input<typeof MetricsRequest>): Promise<MetricsResponse> {
    return this.json("POST", "/metrics", MetricsResponse, { body: JSON.stringify(MetricsRequest.parse(request)), contentType: "application/json", timeoutMs: 10_000 });
  }

  /** Stops serving the service here: nginx first, then `drainSeconds`, then its containers. */
  async retire(service: string, drainSeconds: number): Promise<RetireResult> {
    const body = JSON.stringify(RetireRequest.parse({ drainSeconds }));
    return this.json("POST", `/services/${encodeURIComponent(ServiceName.parse(service))}/retire`, RetireResult, { body, contentType: "application/json", timeoutMs: (drainSeconds + 120) * 1000 });
  }

  async stats(): Promise<z.infer<typeof StatsResponse>> {
    return this.json("GET", "/stats", StatsResponse);
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }

  private async json<S extends z.ZodType>(method: Dispatcher.HttpMethod, path: string, schema: S, request: RequestParts = {}): Promise<z.infer<S>> {
    return parseJson(await this.send(method, path, request), schema);
  }

  private async *stream(method: Dispatcher.HttpMethod, path: string, request: RequestParts): AsyncGenerator<AgentStreamLine> {
    const response = await this.send(method, path, { ...request, streaming: true });
    if (!isNdjson(response)) {
      response.body.destroy();
      throw new AgentRequestError(response.statusCode, "bad_response", `The agent answered ${path} without a stream (${String(response.headers["content-type"])})`);
    }
    yield* this.lines(response);
  }

  private async *lines(response: Dispatcher.ResponseData): AsyncGenerator<AgentStreamLine> {
    let buffered = "";
    const parsed = function* (text: string) {
      const line = parseLine(text);
      // Heartbeats only keep the silence timer from firing.
      if (line.type !== "heartbeat") yield line;
    };
    try {
      for await (const chunk of this.unreachableOnFailure(response.body)) {
        buffered += (chunk as Buffer).toString("utf8");
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield* parsed(line);
        }
        if (buffered.length > MAX_LINE_BYTES) throw new AgentRequestError(response.statusCode, "bad_response", "The agent sent a line longer than 1 MiB");
      }
      if (buffered.trim()) yield* parsed(buffered.trim());
    } finally {
      // Stopping early (an error line, a caller that gave up) must free the connection.
      if (!response.body.destroyed) response.body.destroy();
    }
  }

  private async send(method: Dispatcher.HttpMethod, path: string, request: RequestParts & { streaming?: boolean }): Promise<Dispatcher.ResponseData> {
    const search = new URLSearchParams(request.query ?? {}).toString();
    // A stream answers at once and then says something every few seconds (heartbeats): longer
    // silence means the server is lost, however long its step takes.
    const timeout = request.streaming ? STREAM_SILENCE_LIMIT_MS : (request.timeoutMs ?? this.timeoutMs);
    const ask = () =>
      this.pool.request({
        method,
        path: `${AGENT_API_PREFIX}${path}${search ? `?${search}` : ""}`,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          accept: "application/json, application/x-ndjson",
          ...(request.contentType ? { "content-type": request.contentType } : {}),
        },
        body: request.body,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    const response = await ask()
      // A kept-alive connection the agent closed just as it was reused: a read is asked again once,
      // on a new connection (nothing was done by the first attempt).
      .catch((error: unknown) => (method === "GET" && error instanceof undiciErrors.SocketError ? ask() : Promise.reject(error)))
      .catch((error: unknown) => {
        throw this.unreachable(error);
      });
    this.options.onAnswer?.();
    if (response.statusCode >= 400) {
      const text = await response.body.text().catch(() => "");
      throw agentError(response.statusCode, path, text);
    }
    return response;
  }

  /** A transport failure (not an answer of the agent's) as AgentUnreachableError. */
  private unreachable(error: unknown): Error {
    if (error instanceof AgentRequestError || error instanceof AgentUnreachableError) return error;
    if (error instanceof undiciErrors.BodyTimeoutError || error instanceof undiciErrors.HeadersTimeoutError) {
      return new AgentUnreachableError(`no word from the agent for ${STREAM_SILENCE_LIMIT_MS / 1000}s`);
    }
    // A socket that closed under us: the transport may know why (a connect failure says so itself).
    const why = (error instanceof undiciErrors.SocketError ? this.options.tunnelLoss?.() : null) ?? (error as Error).message ?? String(error);
    return new AgentUnreachableError(`the connection to the agent broke (${why})`);
  }

  private async *unreachableOnFailure<T>(body: AsyncIterable<T>): AsyncGenerator<T> {
    try {
      yield* body;
    } catch (error) {
      throw this.unreachable(error);
    }
  }
}

interface RequestParts {
  query?: Record<string, string>;
  body?: string | Readable;
  contentType?: string;
  /** Instead of the client's timeout for plain calls. */
  timeoutMs?: number;
}

/**
 * Consumes a stream to its end and returns its result, validated; an `error` line (or a stream
 * without a result) throws. Every other line goes to `onLine`, for progress events.
 */
export async function streamResult<S extends z.ZodType>(
  lines: AsyncIterable<AgentStreamLine>,
  schema: S,
  onLine?: (line: AgentStreamLine) => void | Promise<void>,
): Promise<z.infer<S>> {
  for await (const line of lines) {
    if (line.type === "error") throw new AgentRequestError(200, line.code, line.message);
    if (line.type === "result") {
      const parsed = schema.safeParse(line.result);
      if (!parsed.success) throw new AgentRequestError(200, "bad_response", `The agent's result is not in the expected shape: ${parsed.error.message}`);
      return parsed.data;
    }
    await onLine?.(line);
  }
  throw new AgentRequestError(200, "bad_response", "The agent's stream ended without a result");
}

function isNdjson(response: Dispatcher.ResponseData): boolean {
  return String(response.headers["content-type"] ?? "").startsWith("application/x-ndjson");
}

function parseLine(line: string): AgentStreamLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new AgentRequestError(200, "bad_response", "The agent sent a stream line that is not JSON");
  }
  const parsed = AgentStreamLine.safeParse(value);
  if (!parsed.success) throw new AgentRequestError(200, "bad_response", `The agent sent a stream line not in the protocol: ${parsed.error.message}`);
  return parsed.data;
}

async function parseJson<S extends z.ZodType>(response: Dispatcher.ResponseData, schema: S): Promise<z.infer<S>> {
  const text = await response.body.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AgentRequestError(response.statusCode, "bad_response", "The agent's answer is not JSON");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new AgentRequestError(response.statusCode, "bad_response", `The agent's answer is not in the expected shape: ${parsed.error.message}`);
  return parsed.data;
}

function agentError(status: number, path: string, text: string): AgentRequestError {
  try {
    const parsed = AgentError.safeParse(JSON.parse(text));
    if (parsed.success) return new AgentRequestError(status, parsed.data.error.code, parsed.data.error.message);
  } catch {
    // Not JSON: fall through to a generic message.
  }
  return new AgentRequestError(status, `http_${status}`, `The agent answered ${path} with HTTP ${status}`);
}

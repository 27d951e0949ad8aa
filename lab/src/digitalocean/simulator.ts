import { randomBytes } from "node:crypto";
import type { HostProvider } from "../host-provider.js";
import { handleLabControl, LAB_PREFIX } from "../simulator-shared/lab-control.js";
import { Router, type Reply } from "../simulator-shared/router.js";
import { bearerToken, HANG, startHttpServer, type IncomingCall } from "../simulator-shared/server.js";
import { ActionRunner } from "./action-runner.js";
import { DigitalOceanError, notFound } from "./errors.js";
import { DIGITALOCEAN_FAULT_KINDS, DigitalOceanFaults } from "./faults.js";
import { DropletLifecycle, type CutOffHook } from "./lifecycle.js";
import { NullHostProvider } from "./null-host-provider.js";
import { DigitalOceanSpec } from "./openapi.js";
import { DigitalOceanRateLimiter, REAL_DIGITALOCEAN_LIMITS, type DigitalOceanRateLimits } from "./rate-limit.js";
import { registerAccountRoutes } from "./routes/account.js";
import { registerActionRoutes } from "./routes/actions.js";
import { registerCatalogRoutes } from "./routes/catalog.js";
import type { RouteContext } from "./routes/context.js";
import { registerDropletRoutes } from "./routes/droplets.js";
import { registerImageRoutes } from "./routes/images.js";
import { registerTagRoutes } from "./routes/tags.js";
import { DigitalOceanState } from "./state.js";

export interface DigitalOceanSimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Accepted bearer tokens; default: one random token, returned as `token`. */
  tokens?: string[];
  /** Boots a host per droplet; default NullHostProvider. */
  provider?: HostProvider;
  /** Time before an action's work starts (the API's latency); default 1000 ms. */
  actionDelayMs?: number;
  /** Default: DigitalOcean's real 5,000/hour and 250/minute. */
  rateLimits?: Partial<DigitalOceanRateLimits>;
  /**
   * Cuts a booted host off the network for the "unreachable" fault. Default: the provider's own
   * `cutOff(name)` if it has one; otherwise the droplet is only marked unreachable in state.
   */
  cutOff?: CutOffHook;
  /**
   * Check every response against the OpenAPI description and answer 500 (id
   * "lab_spec_violation") instead of a response that breaks it. Default true.
   */
  checkResponses?: boolean;
}

export interface DigitalOceanSimulator {
  url: string;
  /** The first accepted token. */
  token: string;
  faults: DigitalOceanFaults;
  state: DigitalOceanState;
  /** Resolves once all actions and host teardowns started so far have finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

// Compiling the description is the slow part of starting; every simulator in a process shares it.
let sharedSpec: DigitalOceanSpec | undefined;

function defaultCutOff(provider: HostProvider): CutOffHook | undefined {
  const candidate = provider as HostProvider & { cutOff?: (name: string) => Promise<void> };
  return typeof candidate.cutOff === "function" ? (host) => candidate.cutOff!(host.name) : undefined;
}

export async function startDigitalOceanSimulator(options: DigitalOceanSimulatorOptions = {}): Promise<DigitalOceanSimulator> {
  const tokens = options.tokens ?? [`dop_v1_lab_${randomBytes(16).toString("hex")}`];
  const provider = options.provider ?? new NullHostProvider();
  const state = new DigitalOceanState();
  const faults = new DigitalOceanFaults();
  const runner = new ActionRunner(state, options.actionDelayMs ?? 1000);
  const lifecycle = new DropletLifecycle(state, runner, provider, faults, options.cutOff ?? defaultCutOff(provider));
  const limiter = new DigitalOceanRateLimiter({ ...REAL_DIGITALOCEAN_LIMITS, ...options.rateLimits });
  const spec = (sharedSpec ??= new DigitalOceanSpec());
  const router = new Router();
  let baseUrl = "";
  const ctx: RouteContext = { router, state, lifecycle, baseUrl: () => baseUrl };
  for (const register of [
    registerDropletRoutes,
    registerActionRoutes,
    registerImageRoutes,
    registerAccountRoutes,
    registerTagRoutes,
    registerCatalogRoutes,
  ]) {
    register(ctx);
  }

  async function handleApi(call: IncomingCall, token: string): Promise<Reply | typeof HANG> {
    const fault = faults.takeRequestFault(call.method, call.path);
    if (fault?.kind === "hang") return HANG;
    if (fault?.kind === "rate-limit") {
      // Like a spent budget: nothing remaining until the reset, which the fault puts shortly ahead.
      const reset = Math.ceil(Date.now() / 1000) + fault.retryAfterSeconds;
      throw new DigitalOceanError(429, "too_many_requests", "API Rate limit exceeded.", { "ratelimit-remaining": "0", "ratelimit-reset": String(reset) });
    }
    if (fault?.kind === "error") throw new DigitalOceanError(fault.status, "server_error", "Server Error");

    const match = router.match(call.method, call.path);
    if (match === undefined || match === "method") throw notFound();
    if (!call.bodyIsJson) throw new DigitalOceanError(400, "bad_request", "Request body is not valid JSON.");
    const problems = spec.validateRequest(call);
    if (problems.length > 0) throw new DigitalOceanError(422, "unprocessable_entity", problems.join("; "));
    return match.handler({ ...call, params: match.params, token });
  }

  /** A simulator bug that breaks the description must fail loudly, not mislead the client. */
  function selfChecked(call: IncomingCall, reply: Reply): Reply {
    if (!spec.findOperation(call.method, call.path)) return reply; // a 404 for a path the API lacks
    const problems = spec.validateResponse({ ...call, status: reply.status, headers: reply.headers ?? {}, responseBody: reply.body });
    if (problems.length === 0) return reply;
    return { status: 500, headers: reply.headers, body: { id: "lab_spec_violation", message: problems.join("; ") } };
  }

  const server = await startHttpServer(async (call) => {
    if (call.path.startsWith(LAB_PREFIX)) return handleLabControl(call, faults, DIGITALOCEAN_FAULT_KINDS);
    const token = bearerToken(call.headers);
    if (token === undefined || !tokens.includes(token)) {
      return { status: 401, body: { id: "unauthorized", message: "Unable to authenticate you." }, headers: limiter.headers(token ?? "") };
    }
    const { allowed, headers } = limiter.hit(token);
    if (!allowed) return { status: 429, body: { id: "too_many_requests", message: "API Rate limit exceeded." }, headers };
    let reply: Reply | typeof HANG;
    try {
      reply = await handleApi(call, token);
    } catch (error) {
      if (!(error instanceof DigitalOceanError)) throw error;
      reply = { status: error.status, body: error.toBody(), headers: error.headers };
    }
    if (reply === HANG) return HANG;
    reply = { ...reply, headers: { ...headers, ...reply.headers } };
    return options.checkResponses === false ? reply : selfChecked(call, reply);
  }, options.port);
  baseUrl = server.url;

  return {
    url: server.url,
    token: tokens[0]!,
    faults,
    state,
    settled: async () => {
      await runner.settled();
      await lifecycle.settled();
    },
    close: async () => {
      await server.close();
      await runner.close();
      await lifecycle.settled();
    },
  };
}

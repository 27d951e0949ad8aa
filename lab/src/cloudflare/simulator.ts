import { randomBytes } from "node:crypto";
import { FaultController } from "../simulator-shared/faults.js";
import { handleLabControl, LAB_PREFIX } from "../simulator-shared/lab-control.js";
import { Router, type Reply } from "../simulator-shared/router.js";
import { HANG, startHttpServer, type IncomingCall } from "../simulator-shared/server.js";
import { rateLimitHeaders } from "@slipway/cloudflare-api";
import { CloudflareError } from "./envelope.js";
import { OriginCertificateAuthority } from "./origin-ca.js";
import { CloudflareRateLimiter, REAL_CLOUDFLARE_LIMITS, type CloudflareRateLimits } from "./rate-limit.js";
import { registerCertificateRoutes } from "./routes/certificates.js";
import { CLOUDFLARE_API_PREFIX, type RouteContext } from "./routes/context.js";
import { registerDnsRecordRoutes } from "./routes/dns-records.js";
import { registerZoneRoutes } from "./routes/zones.js";
import { CloudflareState } from "./state.js";

export { CLOUDFLARE_API_PREFIX };
const FAULT_KINDS = ["error", "hang", "rate-limit"] as const;

export interface CloudflareSimulatorOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Accepted bearer tokens; default: one random token, returned as `token`. */
  tokens?: string[];
  /** Zones the account holds; default ["example.test"]. */
  zones?: string[];
  /** Where the Origin CA key and certificate are kept; without it the CA lives in memory. */
  stateDir?: string;
  /** Default: Cloudflare's real 1,200 requests per 5 minutes, then a 5-minute block. */
  rateLimits?: Partial<CloudflareRateLimits>;
}

export interface CloudflareSimulator {
  /** API base URL, ending in /client/v4 (the SDK's `baseURL`). */
  url: string;
  token: string;
  /** PEM of the CA that signs origin certificates, for clients to trust. */
  caCertPem: string;
  faults: FaultController;
  state: CloudflareState;
  close(): Promise<void>;
}

/** Cloudflare answers 400 to a malformed Authorization header and 401 to an unknown token. */
function authenticate(call: IncomingCall, tokens: string[]): string {
  const header = call.headers.authorization;
  const match = /^Bearer ([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!match) {
    throw new CloudflareError(400, 6003, "Invalid request headers", [{ code: 6111, message: "Invalid format for Authorization header" }]);
  }
  if (!tokens.includes(match[1]!)) throw new CloudflareError(401, 10000, "Authentication error");
  return match[1]!;
}

export async function startCloudflareSimulator(options: CloudflareSimulatorOptions = {}): Promise<CloudflareSimulator> {
  const tokens = options.tokens ?? [randomBytes(20).toString("base64url")];
  const state = new CloudflareState();
  for (const zone of options.zones ?? ["example.test"]) state.addZone(zone);
  const ca = await OriginCertificateAuthority.open(options.stateDir);
  const limiter = new CloudflareRateLimiter({ ...REAL_CLOUDFLARE_LIMITS, ...options.rateLimits });
  const faults = new FaultController();
  const router = new Router();
  const ctx: RouteContext = { router, state, ca };
  registerZoneRoutes(ctx);
  registerDnsRecordRoutes(ctx);
  registerCertificateRoutes(ctx);

  const rateLimited = () => new CloudflareError(429, 971, "Please wait and consider throttling your request speed");
  /** Ratelimit and Ratelimit-Policy, on every answer to a known token. */
  const limitHeaders = (token: string, remaining?: number) => {
    const now = limiter.status(token);
    return rateLimitHeaders(remaining ?? now.remaining, now.resetSeconds, limiter.policy);
  };

  async function handleApi(call: IncomingCall): Promise<Reply | typeof HANG> {
    const token = authenticate(call, tokens);
    const limit = limiter.hit(token);
    if (!limit.allowed) return rateLimited().toReply({ ...limitHeaders(token, 0), "retry-after": String(limit.retryAfter) });
    const path = call.path.slice(CLOUDFLARE_API_PREFIX.length);
    const fault = faults.takeRequestFault(call.method, path);
    if (fault?.kind === "hang") return HANG;
    if (fault?.kind === "rate-limit") {
      return rateLimited().toReply({ ...limitHeaders(token, 0), "retry-after": String(fault.retryAfterSeconds) });
    }
    if (fault?.kind === "error") throw new CloudflareError(fault.status, 10001, "Internal server error (injected by the lab)");

    const match = router.match(call.method, path);
    if (match === undefined) throw new CloudflareError(404, 7000, "No route for that URI");
    if (match === "method") throw new CloudflareError(405, 7001, "Method not allowed for this endpoint");
    if (!call.bodyIsJson) throw new CloudflareError(400, 6007, "Malformed JSON in request body");
    try {
      const reply = await match.handler({ ...call, path, params: match.params, token });
      return { ...reply, headers: { ...limitHeaders(token), ...reply.headers } };
    } catch (error) {
      if (error instanceof CloudflareError) return error.toReply(limitHeaders(token));
      throw error;
    }
  }

  const server = await startHttpServer(async (call) => {
    if (call.path.startsWith(LAB_PREFIX)) return handleLabControl(call, faults, FAULT_KINDS);
    if (!call.path.startsWith(`${CLOUDFLARE_API_PREFIX}/`)) return new CloudflareError(404, 7000, "No route for that URI").toReply();
    try {
      return await handleApi(call);
    } catch (error) {
      if (error instanceof CloudflareError) return error.toReply();
      throw error;
    }
  }, options.port);

  return {
    url: `${server.url}${CLOUDFLARE_API_PREFIX}`,
    token: tokens[0]!,
    caCertPem: ca.certificatePem,
    faults,
    state,
    close: () => server.close(),
  };
}

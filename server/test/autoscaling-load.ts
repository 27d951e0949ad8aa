// A bounded load generator for the autoscaling lab test and benchmark: HTTPS requests (new
// connection each, SNI and Host the service's domain, the lab CA trusted) at a set rate, spread
// round-robin over the addresses DNS gives now — resolved through the Cloudflare simulator's A
// records and cached for a TTL, as a client behind real DNS would. It stops by itself after
// `maxDurationMs`. A failure is anything but a 200 whose body `accept` takes.
import { setTimeout as sleep } from "node:timers/promises";
import { httpsGet } from "./e2e-support.js";

export interface LoadOptions {
  hostname: string;
  ca: string;
  /** The A records' addresses now. */
  resolve: () => string[];
  requestsPerSecond: number;
  /** Stops by itself after this long. */
  maxDurationMs: number;
  /** How long a resolved answer is used before asking again (a DNS TTL). */
  ttlMs?: number;
  accept?: (body: string) => boolean;
}

export interface LoadReport {
  requests: number;
  failed: number;
  failures: string[];
  /** Per address: answers it gave, and when (ms since the epoch) it first answered. */
  served: Record<string, { ok: number; firstAt: number }>;
  bodies: Record<string, number>;
}

export interface Load {
  report: LoadReport;
  setRate(requestsPerSecond: number): void;
  /** Stops sending and waits for the requests in flight; the report of everything sent. */
  stop(): Promise<LoadReport>;
  /** The report so far, and counting from zero again (failures per phase). */
  takeReport(): LoadReport;
}

export function startLoad(options: LoadOptions): Load {
  let report = emptyReport();
  let rate = options.requestsPerSecond;
  let running = true;
  let cached: { at: number; addresses: string[] } = { at: 0, addresses: [] };
  let next = 0;
  const inFlight = new Set<Promise<void>>();
  const started = Date.now();
  const accept = options.accept ?? (() => true);

  const addresses = () => {
    if (Date.now() - cached.at > (options.ttlMs ?? 1_000)) cached = { at: Date.now(), addresses: options.resolve() };
    return cached.addresses;
  };

  const one = async (target: Report) => {
    const list = addresses();
    if (list.length === 0) return;
    const address = list[next++ % list.length]!;
    target.requests++;
    try {
      const answer = await httpsGet(address, options.hostname, options.ca, 10_000);
      const body = answer.body.trim();
      target.bodies[body.slice(0, 80)] = (target.bodies[body.slice(0, 80)] ?? 0) + 1;
      if (answer.status === 200 && accept(answer.body)) {
        const served = (target.served[address] ??= { ok: 0, firstAt: Date.now() });
        served.ok++;
        return;
      }
      target.failed++;
      if (target.failures.length < 20) target.failures.push(`${new Date().toISOString()} ${address}: ${answer.status} ${body.slice(0, 120)}`);
    } catch (error) {
      target.failed++;
      if (target.failures.length < 20) target.failures.push(`${new Date().toISOString()} ${address}: ${(error as Error).message}`);
    }
  };

  const loop = (async () => {
    let due = Date.now();
    while (running && Date.now() - started < options.maxDurationMs) {
      if (rate > 0) {
        const request = one(report);
        inFlight.add(request);
        void request.finally(() => inFlight.delete(request));
        due += 1000 / rate;
      } else {
        due = Date.now() + 100;
      }
      await sleep(Math.max(0, due - Date.now()));
    }
  })();

  return {
    get report() {
      return report;
    },
    setRate(requestsPerSecond) {
      rate = requestsPerSecond;
    },
    async stop() {
      running = false;
      await loop;
      await Promise.all([...inFlight]);
      return report;
    },
    takeReport() {
      const taken = report;
      report = emptyReport();
      return taken;
    },
  };
}

type Report = LoadReport;

function emptyReport(): LoadReport {
  return { requests: 0, failed: 0, failures: [], served: {}, bodies: {} };
}

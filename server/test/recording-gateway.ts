import type { Readable } from "node:stream";
import {
  emptyHistogram, latencyBucket, type GiveUpResult, type ImageSummary, type MetricsRequest, type MetricsResponse, type ReleaseRequestInput, type ReleaseResult,
  type ReleaseState, type RetireResult, type ServiceStatus,
} from "@slipway/agent/protocol";
import { ServerUnreachableError, type DeploymentImage, type LineSink, type RemovedImages, type ServerGateway } from "../src/domain/ports.js";
import { AgentRequestError } from "../src/integrations/agent-client/agent-client.js";

export type GatewayCall =
  | { kind: "build" | "pull"; serverId: string; tag: string; policy?: string }
  | { kind: "copy"; tag: string; from: string; to: string }
  | { kind: "release"; serverId: string; service: string; image: string; env: Record<string, string>; domains: string[]; drainTimeoutSeconds?: number; intervalMs?: number }
  | { kind: "remove"; serverId: string; ids: string[] }
  | { kind: "retire"; serverId: string; service: string }
  | { kind: "give-up"; serverId: string; service: string; deployment: string };

/** A release held in its health check (holdInHealthCheck), until resumeHeld(). */
interface HeldRelease {
  serverId: string;
  deployment: string;
  givenUp: boolean;
  resume: () => void;
  settled: Promise<void>;
}

/** What a simulated server reports to metrics collection: steady figures, advanced `stepMs` per answer. */
export interface SimulatedLoad {
  cpuPercent: number;
  /** Per agent service name: requests per second (and 5xx per second) nginx served. */
  sites: Record<string, { requestsPerSecond: number; errorsPerSecond?: number; latencyMs?: number }>;
}

/**
 * Stands in for the SSH/agent transport in orchestration tests: records every call, keeps a
 * per-server image store and what each server runs, streams the state lines an agent would, and
 * fails or loses the servers it is told to.
 */
export class RecordingGateway implements ServerGateway {
  readonly calls: GatewayCall[] = [];
  readonly images = new Map<string, ImageSummary[]>();
  /** serverId -> service -> what it runs. */
  readonly running = new Map<string, Map<string, { image: string; deployment: string }>>();
  /** Every build context received, as the raw tar bytes. */
  readonly contexts: Buffer[] = [];
  failReleaseOn = new Set<string>();
  /** Servers whose next release switches but whose answer is lost (a connection cut mid-release). */
  loseContactOn = new Set<string>();
  /** Servers that cannot be reached at all (every call fails as a lost server). */
  unreachable = new Set<string>();
  /** Servers an image copy to is lost on. */
  loseCopyTo = new Set<string>();
  failureMessage = "health check never passed";
  /** Runs before a retire takes effect: a test holds it there, or throws to lose the server. */
  beforeRetire: ((serverId: string) => Promise<void>) | null = null;
  /**
   * Servers whose next release reports `starting`, then waits in its health check until
   * resumeHeld() ends it failed (as a replica that was frozen meanwhile would read it).
   */
  holdInHealthCheck = new Set<string>();
  private readonly heldInHealthCheck: HeldRelease[] = [];
  /** Servers whose agent predates metrics and giving releases up (answers 404 to both). */
  oldAgents = new Set<string>();
  /** Per server, what it reports; servers not in it report an idle host. */
  readonly load = new Map<string, SimulatedLoad>();
  /** Agent time between two metrics answers of a server. */
  metricsStepMs = 15_000;
  private readonly hosts = new Map<string, { sampledAt: number; totalTicks: number; idleTicks: number; offsets: Record<string, number> }>();

  /** The image a server runs for a service (tests read this as "what is on the host"). */
  imageOn(serverId: string, service = "shop--web"): string | undefined {
    return this.running.get(serverId)?.get(service)?.image;
  }

  private reach(serverId: string): void {
    if (this.unreachable.has(serverId)) throw new ServerUnreachableError(serverId, "the connection to the agent broke (connect ECONNREFUSED)");
  }

  private store(serverId: string, tag: string, service: string, deployment: string): ImageSummary {
    const image: ImageSummary = {
      id: `sha256:${tag}`, tags: [tag], sizeBytes: 1000, createdAt: new Date().toISOString(), service, deployment, inUse: false,
    };
    this.images.set(serverId, [...(this.images.get(serverId) ?? []).filter((i) => i.id !== image.id), image]);
    return image;
  }

  async buildImage(serverId: string, context: Readable, q: { tag: string; service: string; deployment: string }, onLine: LineSink) {
    this.reach(serverId);
    this.calls.push({ kind: "build", serverId, tag: q.tag });
    const chunks: Buffer[] = [];
    for await (const chunk of context) chunks.push(chunk as Buffer);
    this.contexts.push(Buffer.concat(chunks));
    await onLine({ type: "log", step: "build", line: "Step 1/1 : FROM scratch" });
    return this.store(serverId, q.tag, q.service, q.deployment);
  }

  async pullImage(serverId: string, r: { image: string; tag: string; service: string; deployment: string; policy?: string }) {
    this.reach(serverId);
    this.calls.push({ kind: "pull", serverId, tag: r.tag, policy: r.policy });
    return this.store(serverId, r.tag, r.service, r.deployment);
  }

  async copyImage({ tag }: DeploymentImage, from: string, to: string) {
    this.reach(from);
    this.reach(to);
    this.calls.push({ kind: "copy", tag, from, to });
    if (this.loseCopyTo.has(to)) throw new ServerUnreachableError(to, "no word from the agent for 6s");
    const image = (this.images.get(from) ?? []).find((i) => i.tags.includes(tag));
    if (!image) throw new Error(`${from} has no ${tag}`);
    this.images.set(to, [...(this.images.get(to) ?? []), { ...image }]);
  }

  async listImages(serverId: string, service: string) {
    this.reach(serverId);
    const running = new Set([...(this.running.get(serverId)?.values() ?? [])].map((r) => r.image));
    return (this.images.get(serverId) ?? []).filter((i) => i.service === service).map((i) => ({ ...i, inUse: i.tags.some((t) => running.has(t)) }));
  }

  async removeImages(serverId: string, ids: string[]): Promise<RemovedImages> {
    this.reach(serverId);
    this.calls.push({ kind: "remove", serverId, ids });
    this.images.set(serverId, (this.images.get(serverId) ?? []).filter((i) => !ids.includes(i.id)));
    return { removed: ids, reclaimedBytes: ids.length * 1000, refused: [] };
  }

  async release(serverId: string, request: ReleaseRequestInput, onLine: LineSink): Promise<ReleaseResult> {
    this.reach(serverId);
    this.calls.push({
      kind: "release", serverId, service: request.service, image: request.image, env: request.env, domains: request.domains,
      drainTimeoutSeconds: request.drainTimeoutSeconds, intervalMs: request.healthCheck.intervalMs,
    });
    const state = (s: ReleaseState, message: string) => onLine({ type: "state", state: s, message, at: new Date().toISOString() });
    const runs = () => {
      const services = this.running.get(serverId) ?? new Map();
      services.set(request.service, { image: request.image, deployment: request.deployment });
      this.running.set(serverId, services);
    };
    await state("starting", `starting ${request.image}`);
    if (this.holdInHealthCheck.delete(serverId)) {
      let resume!: () => void;
      let settle!: () => void;
      const resumed = new Promise<void>((r) => (resume = r));
      const entry: HeldRelease = { serverId, deployment: request.deployment, givenUp: false, resume, settled: new Promise((r) => (settle = r)) };
      this.heldInHealthCheck.push(entry);
      try {
        await resumed;
        const error = entry.givenUp ? "given up before the switch" : this.failureMessage;
        await state("failed", error);
        return { state: "failed", containerId: null, previousContainerId: null, error };
      } finally {
        settle();
      }
    }
    if (this.failReleaseOn.has(serverId)) {
      await state("unhealthy", this.failureMessage);
      await state("failed", this.failureMessage);
      return { state: "failed", containerId: null, previousContainerId: null, error: this.failureMessage };
    }
    await state("healthy", "answered GET /");
    if (this.loseContactOn.delete(serverId)) {
      // The agent goes on alone and switches; its answer never arrives.
      runs();
      throw new ServerUnreachableError(serverId, "no word from the agent for 6s");
    }
    runs();
    await state("switched", `nginx routes ${request.domains.join(", ")}`);
    return { state: "switched", containerId: `c-${request.deployment.slice(0, 8)}`, previousContainerId: null, error: null };
  }

  /** Ends every held release (failed), and returns once each call has returned or thrown. */
  async resumeHeld(): Promise<void> {
    const held = this.heldInHealthCheck.splice(0);
    for (const h of held) h.resume();
    await Promise.all(held.map((h) => h.settled));
  }

  async giveUpRelease(serverId: string, service: string, deployment: string): Promise<GiveUpResult> {
    this.reach(serverId);
    this.calls.push({ kind: "give-up", serverId, service, deployment });
    if (this.oldAgents.has(serverId)) throw new AgentRequestError(404, "not_found", "no endpoint /v1/releases/give-up");
    const held = this.heldInHealthCheck.find((h) => h.serverId === serverId && h.deployment === deployment);
    if (held) {
      held.givenUp = true;
      return { outcome: "gave_up" };
    }
    return { outcome: this.running.get(serverId)?.get(service)?.deployment === deployment ? "switched" : "nothing_in_flight" };
  }

  async metrics(serverId: string, request: MetricsRequest): Promise<MetricsResponse> {
    this.reach(serverId);
    if (this.oldAgents.has(serverId)) throw new AgentRequestError(404, "not_found", "no endpoint /v1/metrics");
    const load = this.load.get(serverId) ?? { cpuPercent: 0, sites: {} };
    const host = this.hosts.get(serverId) ?? { sampledAt: 1_700_000_000_000, totalTicks: 100_000, idleTicks: 90_000, offsets: {} };
    const seconds = this.metricsStepMs / 1000;
    const ticks = seconds * 100; // 100 jiffies per second on one core
    host.sampledAt += this.metricsStepMs;
    host.totalTicks += ticks;
    host.idleTicks += ticks * (1 - load.cpuPercent / 100);
    this.hosts.set(serverId, host);
    const sites = Object.entries(load.sites).map(([service, traffic]) => {
      const requests = Math.round(traffic.requestsPerSecond * seconds);
      const histogram = emptyHistogram();
      histogram[latencyBucket(traffic.latencyMs ?? 5)] = requests;
      host.offsets[service] = (host.offsets[service] ?? 0) + requests * 40;
      return {
        service,
        cursor: { inode: "7", offset: host.offsets[service]! },
        continued: request.accessLogCursors[service] !== undefined,
        requests,
        errors: Math.round((traffic.errorsPerSecond ?? 0) * seconds),
        latencyHistogram: histogram,
        skippedBytes: 0,
        unparsedLines: 0,
      };
    });
    return {
      sampledAt: host.sampledAt,
      host: {
        cpu: { totalTicks: host.totalTicks, idleTicks: host.idleTicks, cores: 1 },
        memory: { totalBytes: 1024 ** 3, availableBytes: 512 * 1024 ** 2 },
        load: { one: load.cpuPercent / 100, five: 0, fifteen: 0 },
        disk: { path: "/", totalBytes: 25 * 1024 ** 3, freeBytes: 20 * 1024 ** 3 },
      },
      containers: [],
      sites,
    };
  }

  async retireService(serverId: string, service: string): Promise<RetireResult> {
    this.calls.push({ kind: "retire", serverId, service });
    this.reach(serverId);
    await this.beforeRetire?.(serverId);
    this.running.get(serverId)?.delete(service);
    return { siteRemoved: true, stoppedContainers: ["c-retired"] };
  }

  async serviceStatus(serverId: string, service: string): Promise<ServiceStatus> {
    return (await this.listServices(serverId)).find((s) => s.service === service) ?? { service, containerId: null, image: null, deployment: null, running: false, hostPort: null };
  }

  async listServices(serverId: string): Promise<ServiceStatus[]> {
    this.reach(serverId);
    return [...(this.running.get(serverId)?.entries() ?? [])].map(([service, r]) => ({
      service, containerId: `c-${r.deployment.slice(0, 8)}`, image: r.image, deployment: r.deployment, running: true, hostPort: 40000,
    }));
  }
}

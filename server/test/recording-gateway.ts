import type { Readable } from "node:stream";
import {
  emptyHistogram, latencyBucket, type ImageSummary, type MetricsRequest, type MetricsResponse, type ReleaseRequest, type ReleaseResult, type RetireResult,
  type ServiceStatus,
} from "@slipway/agent/protocol";
import type { LineSink, RemovedImages, ServerGateway } from "../src/domain/ports.js";
import { AgentRequestError } from "../src/integrations/agent-client/agent-client.js";

export type GatewayCall =
  | { kind: "build" | "pull"; serverId: string; tag: string }
  | { kind: "copy"; tag: string; from: string; to: string }
  | { kind: "release"; serverId: string; service: string; image: string; env: Record<string, string>; domains: string[] }
  | { kind: "remove"; serverId: string; ids: string[] }
  | { kind: "retire"; serverId: string; service: string };

/** What a simulated server reports to metrics collection: steady figures, advanced `stepMs` per answer. */
export interface SimulatedLoad {
  cpuPercent: number;
  /** Per agent service name: requests per second (and 5xx per second) nginx served. */
  sites: Record<string, { requestsPerSecond: number; errorsPerSecond?: number; latencyMs?: number }>;
}

/**
 * Stands in for the SSH/agent transport in orchestration tests: records every call, keeps a
 * per-server image store, and fails releases on the servers it is told to.
 */
export class RecordingGateway implements ServerGateway {
  readonly calls: GatewayCall[] = [];
  readonly images = new Map<string, ImageSummary[]>();
  readonly running = new Map<string, string>();
  /** Every build context received, as the raw tar bytes. */
  readonly contexts: Buffer[] = [];
  failReleaseOn = new Set<string>();
  /** Servers whose next release switches but whose answer is lost (a connection cut mid-release). */
  loseContactOn = new Set<string>();
  failureMessage = "health check never passed";
  /** Servers whose agent does not answer metrics collection. */
  unreachable = new Set<string>();
  /** Servers whose agent predates metrics (answers 404). */
  oldAgents = new Set<string>();
  /** Per server, what it reports; servers not in it report an idle host. */
  readonly load = new Map<string, SimulatedLoad>();
  /** Agent time between two metrics answers of a server. */
  metricsStepMs = 15_000;
  private readonly hosts = new Map<string, { sampledAt: number; totalTicks: number; idleTicks: number; offsets: Record<string, number> }>();

  private store(serverId: string, tag: string, service: string, deployment: string): ImageSummary {
    const image: ImageSummary = {
      id: `sha256:${tag}`, tags: [tag], sizeBytes: 1000, createdAt: new Date().toISOString(), service, deployment, inUse: false,
    };
    this.images.set(serverId, [...(this.images.get(serverId) ?? []).filter((i) => i.id !== image.id), image]);
    return image;
  }

  async buildImage(serverId: string, context: Readable, q: { tag: string; service: string; deployment: string }, onLine: LineSink) {
    this.calls.push({ kind: "build", serverId, tag: q.tag });
    const chunks: Buffer[] = [];
    for await (const chunk of context) chunks.push(chunk as Buffer);
    this.contexts.push(Buffer.concat(chunks));
    await onLine({ type: "log", step: "build", line: "Step 1/1 : FROM scratch" });
    return this.store(serverId, q.tag, q.service, q.deployment);
  }

  async pullImage(serverId: string, r: { image: string; tag: string; service: string; deployment: string }) {
    this.calls.push({ kind: "pull", serverId, tag: r.tag });
    return this.store(serverId, r.tag, r.service, r.deployment);
  }

  async copyImage(tag: string, from: string, to: string) {
    this.calls.push({ kind: "copy", tag, from, to });
    const image = (this.images.get(from) ?? []).find((i) => i.tags.includes(tag));
    if (!image) throw new Error(`${from} has no ${tag}`);
    this.images.set(to, [...(this.images.get(to) ?? []), { ...image }]);
  }

  async listImages(serverId: string) {
    return (this.images.get(serverId) ?? []).map((i) => ({ ...i, inUse: this.running.get(serverId) === i.tags[0] }));
  }

  async removeImages(serverId: string, ids: string[]): Promise<RemovedImages> {
    this.calls.push({ kind: "remove", serverId, ids });
    this.images.set(serverId, (this.images.get(serverId) ?? []).filter((i) => !ids.includes(i.id)));
    return { removed: ids, reclaimedBytes: ids.length * 1000, refused: [] };
  }

  async release(serverId: string, request: ReleaseRequest, onLine: LineSink): Promise<ReleaseResult> {
    this.calls.push({ kind: "release", serverId, service: request.service, image: request.image, env: request.env, domains: request.domains });
    await onLine({ type: "progress", step: "health", message: "waiting for the health check", progress: 0.5 });
    if (this.loseContactOn.delete(serverId)) {
      // The agent goes on alone and switches; its answer never arrives.
      this.running.set(serverId, request.image);
      throw new Error("closed");
    }
    if (this.failReleaseOn.has(serverId)) {
      return { outcome: "failed", state: "unhealthy", containerId: null, previousContainerId: null, error: this.failureMessage };
    }
    this.running.set(serverId, request.image);
    return { outcome: "switched", state: "switched", containerId: `c-${request.deployment.slice(0, 8)}`, previousContainerId: null, error: null };
  }

  async metrics(serverId: string, request: MetricsRequest): Promise<MetricsResponse> {
    if (this.unreachable.has(serverId)) throw new Error(`connect ECONNREFUSED (${serverId})`);
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
    this.running.delete(serverId);
    return { siteRemoved: true, stoppedContainers: ["c-retired"] };
  }

  async serviceStatus(_serverId: string, service: string): Promise<ServiceStatus> {
    return { service, containerId: null, image: null, deployment: null, running: false, hostPort: null };
  }
}

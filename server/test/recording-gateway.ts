import type { Readable } from "node:stream";
import type { ImageSummary, ReleaseRequest, ReleaseResult, ServiceStatus } from "@slipway/agent/protocol";
import type { LineSink, RemovedImages, ServerGateway } from "../src/domain/ports.js";

export type GatewayCall =
  | { kind: "build" | "pull"; serverId: string; tag: string }
  | { kind: "copy"; tag: string; from: string; to: string }
  | { kind: "release"; serverId: string; service: string; image: string; env: Record<string, string>; domains: string[] }
  | { kind: "remove"; serverId: string; ids: string[] };

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

  async serviceStatus(_serverId: string, service: string): Promise<ServiceStatus> {
    return { service, containerId: null, image: null, deployment: null, running: false, hostPort: null };
  }
}

import { PassThrough, type Readable } from "node:stream";
import {
  ImageSummary, ReleaseResult, type GiveUpResult, type MetricsRequest, type MetricsResponse, type ReleaseRequestInput, type RetireResult, type ServiceStatus,
} from "@slipway/agent/protocol";
import { AgentUnreachableError, streamResult, type AgentClient } from "../../integrations/agent-client/agent-client.js";
import { SshConnectionError } from "../../integrations/ssh/errors.js";
import type { Database } from "../../db.js";
import { NotFoundError } from "../errors.js";
import { ServerUnreachableError, type DeploymentImage, type LineSink, type RemovedImages, type ServerConnections, type ServerGateway } from "../ports.js";

/**
 * ServerGateway over the real thing: each call goes to the server's agent through its pinned SSH
 * tunnel. A call that loses the server (the tunnel cannot be opened, or breaks, or the agent
 * falls silent) rejects with ServerUnreachableError naming it.
 */
export class SshServerGateway implements ServerGateway {
  constructor(
    private readonly db: Database,
    private readonly connections: ServerConnections,
  ) {}

  buildImage(serverId: string, context: Readable, query: { tag: string; service: string; deployment: string }, onLine: LineSink): Promise<ImageSummary> {
    return this.on(serverId, (agent) => streamResult(agent.build(query, context), ImageSummary, onLine));
  }

  pullImage(serverId: string, request: { image: string; tag: string; service: string; deployment: string; policy?: "missing" | "always" }, onLine: LineSink) {
    return this.on(serverId, (agent) => streamResult(agent.pull(request), ImageSummary, onLine));
  }

  async copyImage(image: DeploymentImage, fromServerId: string, toServerId: string): Promise<void> {
    const tar = await this.on(fromServerId, (from) => from.export(image.tag));
    // The upload reads a stream of its own: when the receiving server is lost, its request destroys
    // that stream (with its own error), never the sender's, so only the sender's failures land here.
    let senderLost: Error | null = null;
    const upload = new PassThrough();
    // Its errors are the receiver's, and the load request reports them.
    upload.on("error", () => undefined);
    tar.once("error", (error: Error) => {
      senderLost = error;
      upload.destroy(error);
    });
    tar.pipe(upload);
    try {
      const { loaded } = await this.on(toServerId, (to) => to.load({ service: image.service, deployment: image.deployment }, upload));
      if (!loaded.includes(image.tag)) throw new Error(`Copying ${image.tag} loaded ${loaded.join(", ") || "nothing"} instead`);
    } catch (error) {
      // When the sending server is lost, the receiving one sees its upload break: blame the sender.
      if (senderLost) throw new ServerUnreachableError(fromServerId, `lost while sending the image: ${(senderLost as Error).message}`);
      throw error;
    } finally {
      tar.unpipe(upload);
      tar.destroy();
      upload.destroy();
    }
  }

  async listImages(serverId: string, service: string): Promise<ImageSummary[]> {
    return this.on(serverId, async (agent) => (await agent.listImages(service)).images);
  }

  removeImages(serverId: string, ids: string[]): Promise<RemovedImages> {
    return this.on(serverId, (agent) => agent.removeImages(ids));
  }

  release(serverId: string, request: ReleaseRequestInput, onLine: LineSink): Promise<ReleaseResult> {
    return this.on(serverId, (agent) => streamResult(agent.release(request), ReleaseResult, onLine));
  }

  giveUpRelease(serverId: string, service: string, deploymentId: string): Promise<GiveUpResult> {
    return this.on(serverId, (agent) => agent.giveUp(service, deploymentId));
  }

  serviceStatus(serverId: string, service: string): Promise<ServiceStatus> {
    return this.on(serverId, (agent) => agent.serviceStatus(service));
  }

  metrics(serverId: string, request: MetricsRequest): Promise<MetricsResponse> {
    return this.on(serverId, (agent) => agent.metrics(request));
  }

  retireService(serverId: string, service: string, drainSeconds: number): Promise<RetireResult> {
    return this.on(serverId, (agent) => agent.retire(service, drainSeconds));
  }

  async listServices(serverId: string): Promise<ServiceStatus[]> {
    return this.on(serverId, async (agent) => (await agent.listServices()).services);
  }

  /** Runs one call against the server's agent; losing the server becomes ServerUnreachableError. */
  private async on<T>(serverId: string, call: (agent: AgentClient) => Promise<T>): Promise<T> {
    const server = await this.db.server.findUnique({ where: { id: serverId } });
    if (!server) throw new NotFoundError("Server");
    try {
      return await call(this.connections.agent(server));
    } catch (error) {
      if (error instanceof AgentUnreachableError || error instanceof SshConnectionError) throw new ServerUnreachableError(serverId, error.message);
      throw error;
    }
  }
}

import type { Readable } from "node:stream";
import {
  ImageSummary, ReleaseResult, type MetricsRequest, type MetricsResponse, type ReleaseRequest, type RetireResult, type ServiceStatus,
} from "@slipway/agent/protocol";
import { streamResult } from "../../integrations/agent-client/agent-client.js";
import type { Database } from "../../db.js";
import { NotFoundError } from "../errors.js";
import type { LineSink, RemovedImages, ServerConnections, ServerGateway } from "../ports.js";

/** ServerGateway over the real thing: each call goes to the server's agent through its pinned SSH tunnel. */
export class SshServerGateway implements ServerGateway {
  constructor(
    private readonly db: Database,
    private readonly connections: ServerConnections,
  ) {}

  async buildImage(serverId: string, context: Readable, query: { tag: string; service: string; deployment: string }, onLine: LineSink): Promise<ImageSummary> {
    const agent = await this.agent(serverId);
    return streamResult(agent.build(query, context), ImageSummary, onLine);
  }

  async pullImage(serverId: string, request: { image: string; tag: string; service: string; deployment: string }, onLine: LineSink): Promise<ImageSummary> {
    const agent = await this.agent(serverId);
    return streamResult(agent.pull(request), ImageSummary, onLine);
  }

  async copyImage(tag: string, fromServerId: string, toServerId: string): Promise<void> {
    const [from, to] = await Promise.all([this.agent(fromServerId), this.agent(toServerId)]);
    const tar = await from.export(tag);
    try {
      const { loaded } = await to.load(tar);
      if (!loaded.includes(tag)) throw new Error(`Copying ${tag} loaded ${loaded.join(", ") || "nothing"} instead`);
    } finally {
      tar.destroy();
    }
  }

  async listImages(serverId: string, service: string): Promise<ImageSummary[]> {
    return (await (await this.agent(serverId)).listImages(service)).images;
  }

  async removeImages(serverId: string, ids: string[]): Promise<RemovedImages> {
    return (await this.agent(serverId)).removeImages(ids);
  }

  async release(serverId: string, request: ReleaseRequest, onLine: LineSink): Promise<ReleaseResult> {
    const agent = await this.agent(serverId);
    return streamResult(agent.release(request), ReleaseResult, onLine);
  }

  async serviceStatus(serverId: string, service: string): Promise<ServiceStatus> {
    return (await this.agent(serverId)).serviceStatus(service);
  }

  async metrics(serverId: string, request: MetricsRequest): Promise<MetricsResponse> {
    return (await this.agent(serverId)).metrics(request);
  }

  async retireService(serverId: string, service: string, drainSeconds: number): Promise<RetireResult> {
    return (await this.agent(serverId)).retire(service, drainSeconds);
  }

  private async agent(serverId: string) {
    const server = await this.db.server.findUnique({ where: { id: serverId } });
    if (!server) throw new NotFoundError("Server");
    return this.connections.agent(server);
  }
}

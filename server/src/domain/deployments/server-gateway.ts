import type { Readable } from "node:stream";
import type {
  AgentStreamLine, ImageSummary, ReleaseRequest, ReleaseResult, ServiceStatus,
} from "@slipway/agent/protocol";

export type LineSink = (line: AgentStreamLine) => void | Promise<void>;

export interface RemovedImages {
  removed: string[];
  reclaimedBytes: number;
  refused: { id: string; reason: string }[];
}

/**
 * What deployments need from a server, by server id. The real implementation speaks the agent
 * protocol through SSH; tests of orchestration use a recording one.
 */
export interface ServerGateway {
  buildImage(serverId: string, context: Readable, query: { tag: string; service: string; deployment: string }, onLine: LineSink): Promise<ImageSummary>;
  pullImage(serverId: string, request: { image: string; tag: string; service: string; deployment: string }, onLine: LineSink): Promise<ImageSummary>;
  /** Streams one image from a server that has it into another, without rebuilding. */
  copyImage(tag: string, fromServerId: string, toServerId: string): Promise<void>;
  listImages(serverId: string, service: string): Promise<ImageSummary[]>;
  removeImages(serverId: string, ids: string[]): Promise<RemovedImages>;
  release(serverId: string, request: ReleaseRequest, onLine: LineSink): Promise<ReleaseResult>;
  serviceStatus(serverId: string, service: string): Promise<ServiceStatus>;
}

// Every action the HTTP layer can call, bound to the agent's dependencies.
import type { Readable } from "node:stream";
import type { BuildQuery, GiveUpRequest, LoadQuery, MetricsRequest, PullRequest, ReleaseRequest } from "../protocol/index.js";
import type { z } from "zod";
import type { AgentDeps, Emit } from "./deps.js";
import { giveUpRelease } from "./give-up-release.js";
import { health } from "./health.js";
import { buildImage, exportImage, listImages, loadImages, pullImage, removeImages } from "./images.js";
import { collectMetrics } from "./metrics.js";
import { release } from "./release.js";
import { retireService } from "./retire-service.js";
import { listServices, serviceLogs, serviceStatus } from "./services.js";
import { stats } from "./stats.js";

export function createActions(deps: AgentDeps) {
  return {
    health: () => health(deps),
    stats: () => stats(deps),
    listServices: () => listServices(deps),
    serviceStatus: (service: string) => serviceStatus(deps, service),
    serviceLogs: (service: string, tail: number, emit: Emit) => serviceLogs(deps, service, tail, emit),
    release: (req: ReleaseRequest, emit: Emit, callerGone?: AbortSignal) => release(deps, req, emit, callerGone),
    giveUpRelease: (req: GiveUpRequest) => giveUpRelease(deps, req),
    buildImage: (q: z.infer<typeof BuildQuery>, body: Readable, emit: Emit) => buildImage(deps, q, body, emit),
    pullImage: (req: z.infer<typeof PullRequest>, emit: Emit) => pullImage(deps, req, emit),
    loadImages: (q: z.infer<typeof LoadQuery>, body: Readable) => loadImages(deps, q, body),
    exportImage: (tag: string) => exportImage(deps, tag),
    listImages: (service?: string) => listImages(deps, service),
    removeImages: (ids: string[]) => removeImages(deps, ids),
    collectMetrics: (req: MetricsRequest) => collectMetrics(deps, req),
    retireService: (service: string, drainSeconds: number) => retireService(deps, service, drainSeconds),
  };
}

export type AgentActions = ReturnType<typeof createActions>;
export type { AgentDeps, Emit } from "./deps.js";

// Waits until a new container answers its health check: HTTP GET on its loopback port, 2xx or
// 3xx, polled until the deadline. Fails early when the container exits, even though Docker
// restarts it (its restart policy is unless-stopped): a crash loop is not worth waiting out.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { ContainerDetails, ContainerEngine } from "../engine/types.js";

const FIRST_POLL_MS = 25;
const REQUEST_TIMEOUT_MS = 2_000;
const STATE_EVERY_POLLS = 5;

export interface HealthCheckSpec {
  hostPort: number;
  path: string;
  timeoutSeconds: number;
  intervalMs: number;
}

export type HealthOutcome = { healthy: true; afterMs: number } | { healthy: false; reason: string };

export async function waitHealthy(engine: ContainerEngine, containerId: string, spec: HealthCheckSpec, signal?: AbortSignal): Promise<HealthOutcome> {
  const t0 = Date.now();
  const deadline = t0 + spec.timeoutSeconds * 1000;
  let last = "no answer yet";
  for (let poll = 0; ; poll++) {
    if (signal?.aborted) return { healthy: false, reason: "the release was given up" };
    const r = await probe(spec.hostPort, spec.path, Math.max(100, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now())));
    if (r.ok) return { healthy: true, afterMs: Date.now() - t0 };
    last = r.detail;
    if (poll % STATE_EVERY_POLLS === STATE_EVERY_POLLS - 1) {
      const info = await engine.inspectContainer(containerId);
      const exited = info ? exitReason(info) : "the container is gone";
      if (exited) return { healthy: false, reason: exited };
    }
    const delay = pollDelayMs(poll, spec.intervalMs);
    if (Date.now() + delay > deadline) {
      return { healthy: false, reason: `health check GET ${spec.path} did not pass within ${spec.timeoutSeconds}s (last: ${last})` };
    }
    await sleep(delay, undefined, { signal }).catch(() => undefined);
  }
}

/** What a container inspect says about a container that has exited since it started, or null. */
export function exitReason(info: Pick<ContainerDetails, "running" | "restarting" | "exitCode" | "restartCount">): string | null {
  // Between a crash and Docker's restart the container is Restarting; after it, Running again.
  if (!info.running || info.restarting) return `container exited with code ${info.exitCode} before it became healthy`;
  if (info.restartCount) return `container exited and was restarted ${info.restartCount} time(s) before it became healthy`;
  return null;
}

/**
 * The pause after failed probe number `poll` (0-based): 25, 50, 100 ms, ... up to the interval.
 * Most apps answer a few tens of ms after their container starts; a flat interval made every
 * release wait for the second probe.
 */
export function pollDelayMs(poll: number, intervalMs: number): number {
  return Math.min(intervalMs, FIRST_POLL_MS * 2 ** poll);
}

function probe(port: number, path: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve({ ok: code >= 200 && code < 400, detail: `HTTP ${code}` });
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e) => resolve({ ok: false, detail: e.message }));
  });
}

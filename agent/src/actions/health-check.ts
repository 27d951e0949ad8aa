// Waits until a new container answers its health check: HTTP GET on its loopback port, 2xx or
// 3xx, polled until the deadline. Fails early when the container exits, even though Docker
// restarts it (its restart policy is unless-stopped): a crash loop is not worth waiting out.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type Docker from "dockerode";

const FIRST_POLL_MS = 25;
const POLL_MS = 200;
const REQUEST_TIMEOUT_MS = 2_000;
const STATE_EVERY_POLLS = 5;

export type HealthOutcome = { healthy: true; afterMs: number } | { healthy: false; reason: string };

export async function waitHealthy(
  docker: Docker,
  containerId: string,
  url: { hostPort: number; path: string },
  timeoutSeconds: number,
): Promise<HealthOutcome> {
  const t0 = Date.now();
  const deadline = t0 + timeoutSeconds * 1000;
  let last = "no answer yet";
  for (let poll = 0; ; poll++) {
    const r = await probe(url.hostPort, url.path, Math.max(100, Math.min(REQUEST_TIMEOUT_MS, deadline - Date.now())));
    if (r.ok) return { healthy: true, afterMs: Date.now() - t0 };
    last = r.detail;
    if (poll % STATE_EVERY_POLLS === STATE_EVERY_POLLS - 1) {
      const exited = exitReason(await docker.getContainer(containerId).inspect());
      if (exited) return { healthy: false, reason: exited };
    }
    const delay = pollDelayMs(poll);
    if (Date.now() + delay > deadline) {
      return { healthy: false, reason: `health check GET ${url.path} did not pass within ${timeoutSeconds}s (last: ${last})` };
    }
    await sleep(delay);
  }
}

/** What a container inspect says about a container that has exited since it started, or null. */
export function exitReason(info: { State?: { Running?: boolean; Restarting?: boolean; ExitCode?: number }; RestartCount?: number }): string | null {
  const st = info.State;
  if (!st) return null;
  // Between a crash and Docker's restart the container is Restarting; after it, Running again.
  if (!st.Running || st.Restarting) return `container exited with code ${st.ExitCode ?? "?"} before it became healthy`;
  if (info.RestartCount) return `container exited and was restarted ${info.RestartCount} time(s) before it became healthy`;
  return null;
}

/**
 * The pause after failed probe number `poll` (0-based): 25, 50, 100, then every 200 ms. Most apps
 * answer a few tens of ms after their container starts; a flat 200 ms made every release wait for
 * the second probe.
 */
export function pollDelayMs(poll: number): number {
  return Math.min(POLL_MS, FIRST_POLL_MS * 2 ** poll);
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

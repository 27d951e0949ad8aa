// A release, the kamal-proxy way: the new container starts off to the side, traffic moves to it
// only once it is healthy and nginx accepts the new config, and only then the old one drains.
// Any failure before the switch removes the new container and leaves the old one and nginx as
// they were. Rollback is the same call with an older image; when the container of that release
// is still kept paused (a standby, see standbys.ts), it is resumed instead of started afresh.
//
// Every state change goes through ReleaseTracker, which checks it against the protocol's one
// transition table (protocol/release-states.ts) and streams it as a `state` line.
//
// A release whose caller went away before the switch (the control plane replica that asked for
// it died), or that the replica which took the deploy over gave up (give-up-release.ts: the one
// that asked may be frozen with its connection open), is given up the same way: that replica then
// finds the server on the release it ran, and nothing switches behind its back once the new app
// becomes healthy.
import { containerCreateOptions, containerName, publishedHostPort } from "../commands/docker.js";
import { messageOf } from "../errors.js";
import { assertTransition, type ReleaseRequest, type ReleaseResult, type ReleaseState } from "../protocol/index.js";
import { envRedactor, type Redactor } from "../redact.js";
import { activeContainer, serviceContainers, stopAndRemove } from "./containers.js";
import type { AgentDeps, Emit } from "./deps.js";
import { exitReason, waitHealthy } from "./health-check.js";
import { waitForExit } from "./nginx-workers.js";
import { applySite, discardStagedSite, stageSite, type StagedSite } from "./site.js";

const FAILURE_LOG_LINES = 20;
const CALLER_GONE = "given up: the control plane that asked for this release went away before the switch";

/** The release's state, moved only along the protocol's transition table. */
export class ReleaseTracker {
  private current: ReleaseState = "pending";

  constructor(
    private readonly emit: Emit,
    private readonly redact: Redactor,
  ) {}

  get state(): ReleaseState {
    return this.current;
  }

  to(next: ReleaseState, message: string): void {
    assertTransition(this.current, next);
    this.current = next;
    this.emit({ type: "state", state: next, message: this.redact(message), at: new Date().toISOString() });
  }
}

/**
 * `callerGone` aborts when whoever asked for the release stopped listening; the release is also
 * known to `deps.releases` while it runs, which gives it up when told to (see above).
 */
export async function release(deps: AgentDeps, req: ReleaseRequest, emit: Emit, callerGone?: AbortSignal): Promise<ReleaseResult> {
  return deps.releases.track(req.service, req.deployment, emit, (tracked, givenUp) => {
    const stop = callerGone ? AbortSignal.any([givenUp, callerGone]) : givenUp;
    return deps.locks.run(`release:${req.service}`, () => runRelease(deps, req, tracked, stop));
  });
}

/** Why a release was stopped: the reason it was given up with, else its caller went away. */
function stoppedBecause(stop: AbortSignal): string {
  return typeof stop.reason === "string" ? stop.reason : CALLER_GONE;
}

async function runRelease(deps: AgentDeps, req: ReleaseRequest, emit: Emit, stop: AbortSignal): Promise<ReleaseResult> {
  const { engine } = deps;
  const redact = envRedactor(req.env);
  const tracker = new ReleaseTracker(emit, redact);
  const name = containerName(req.service, req.deployment);

  const previous = await activeContainer(deps, req.service);
  const previousId = previous?.container.id ?? null;
  const ended = (containerId: string | null, error: string | null = null): ReleaseResult => ({
    state: tracker.state,
    containerId,
    previousContainerId: previousId,
    error: error === null ? null : redact(error),
  });
  const fail = (error: string): ReleaseResult => {
    tracker.to("failed", `${error}${previousId ? "; the previous container keeps serving" : ""}`);
    return ended(null, error);
  };
  // Stopped while it waited for another release of the service to end, or refused.
  if (stop.aborted) return fail(stoppedBecause(stop));

  try {
    if (!(await engine.inspectImage(req.image))) return fail(`image ${req.image} is not on this server (build, load or pull it first)`);
  } catch (e) {
    return fail(`docker: ${messageOf(e)}`);
  }

  // The same deployment released again while it serves: nothing to move.
  if (previous && previous.container.name === name && previous.container.state === "running") {
    tracker.to("switched", `${name} already serves ${req.service} on 127.0.0.1:${previous.hostPort}`);
    return { ...ended(previous.container.id), previousContainerId: null };
  }

  // The container of this very deployment (or of the one a rollback restores), kept paused since
  // another replaced it.
  const resumable = [name, ...(req.resumes ? [containerName(req.service, req.resumes)] : [])];
  const standby = (await serviceContainers(engine, req.service)).find((c) => resumable.includes(c.name) && c.state === "paused");
  // The container that serves this release once it switched.
  const serving = standby?.name ?? name;
  let containerId: string | null = null;
  let staged: StagedSite | null = null;
  const throwAway = async () => {
    if (containerId) await engine.removeContainer(containerId).catch(() => {});
    if (staged) await discardStagedSite(deps, staged).catch(() => {});
  };
  let oldWorkers: ReadonlySet<number> = new Set();
  try {
    const { path, timeoutSeconds, intervalMs } = req.healthCheck;
    const waiting = `waiting up to ${timeoutSeconds}s for GET ${path} to answer (every ${intervalMs} ms)`;
    const t0 = Date.now();
    if (standby) {
      deps.standbys.release(standby.id);
      tracker.to("starting", `resuming ${standby.name}, kept paused since it was replaced; ${waiting}`);
      containerId = standby.id;
      await engine.unpauseContainer(containerId);
    } else {
      // Left over from an interrupted attempt at this same deployment; it never served.
      await engine.removeContainer(name);
      tracker.to("starting", `starting ${name} from ${req.image}; ${waiting}`);
      containerId = await engine.createContainer(containerCreateOptions(req));
      await engine.startContainer(containerId);
    }
    const started = await engine.inspectContainer(containerId);
    const startMs = Date.now() - t0;
    const hostPort = started ? publishedHostPort(started.ports, req.port) : null;
    const unhealthy = async (reason: string) => {
      tracker.to("unhealthy", reason);
      const logs = await engine.containerLogs(containerId!, FAILURE_LOG_LINES).catch(() => []);
      await throwAway();
      const tail = logs.length > 0 ? `; last log lines:\n${logs.join("\n")}` : "";
      return fail(`${serving} never became healthy: ${reason}${tail}`);
    };
    if (hostPort === null) {
      // Docker publishes no port for a container that has already exited (or waits to restart).
      const exited = started ? exitReason(started) : "the container is gone";
      if (exited) return await unhealthy(exited);
      throw new Error(`docker published no host port for ${req.port}/tcp`);
    }

    // Everything that does not depend on health is prepared while the app starts.
    const stageFailed = new AbortController();
    const t1 = Date.now();
    let stageMs = 0;
    const [health, stage] = await Promise.all([
      waitHealthy(engine, containerId, { hostPort, path, timeoutSeconds, intervalMs }, AbortSignal.any([stop, stageFailed.signal])),
      stageSite(deps, { service: req.service, deployment: req.deployment, domains: req.domains, hostPort, tls: req.tls ?? null }).then(
        (s) => {
          stageMs = Date.now() - t1;
          if (!s.ok) stageFailed.abort();
          return s;
        },
        (e: unknown) => {
          stageFailed.abort();
          throw e;
        },
      ),
    ]);
    if (stage.ok) staged = stage.staged;
    else {
      await throwAway();
      return fail(stage.error);
    }
    // The last point to stop at: from "healthy" on (set in the same tick) the release switches.
    if (stop.aborted) {
      await throwAway();
      return fail(stoppedBecause(stop));
    }
    if (!health.healthy) return await unhealthy(health.reason);
    tracker.to(
      "healthy",
      `${serving} answered GET ${path} on 127.0.0.1:${hostPort} after ${health.afterMs} ms (${standby ? "resumed" : "started"} in ${startMs} ms; nginx site checked in ${stageMs} ms)`,
    );

    const applied = await applySite(deps, staged);
    if (!applied.ok) {
      staged = null;
      await throwAway();
      return fail(applied.error);
    }
    oldWorkers = applied.oldWorkers;
    tracker.to("switched", `nginx routes ${req.domains.join(", ") || req.service} to ${serving} (127.0.0.1:${hostPort})`);
  } catch (e) {
    await throwAway();
    return fail(`docker: ${messageOf(e)}`);
  }

  // Everything else of this service goes: the previous container (kept paused as the standby,
  // unless standbys are off) and any leftovers, an older standby among them.
  const others = (await serviceContainers(engine, req.service)).filter((c) => c.id !== containerId);
  if (others.length === 0) return ended(containerId);
  const replaced = previous && previous.container.id !== containerId && req.standbySeconds > 0 ? previous.container : null;
  // nginx's graceful reload lets the old workers finish their in-flight requests to the old
  // container; once they have exited, nothing can reach it any more.
  tracker.to("draining", `letting in-flight requests to ${others.map((c) => c.name).join(", ")} finish (at most ${req.drainTimeoutSeconds}s)`);
  const drained = await waitForExit(deps.exec, oldWorkers, req.drainTimeoutSeconds * 1000);
  const problems: string[] = [];
  const removed: string[] = [];
  let kept: string | null = null;
  for (const c of others) {
    try {
      if (c.id === replaced?.id && c.state === "running") {
        await deps.standbys.keep(engine, c.id, c.name, req.standbySeconds);
        kept = c.name;
      } else {
        await stopAndRemove(engine, c.id);
        removed.push(c.name);
      }
    } catch (e) {
      problems.push(`${c.id.slice(0, 12)}: ${messageOf(e)}`);
    }
  }
  const cut = drained ? "" : ` after ${req.drainTimeoutSeconds}s with requests still in flight`;
  const done = [
    kept ? `paused ${kept} for ${req.standbySeconds}s (a rollback to it resumes it)` : null,
    removed.length ? `stopped and removed ${removed.join(", ")}` : null,
  ].filter(Boolean);
  tracker.to("stopped", problems.length ? `could not remove ${problems.join("; ")}` : `${done.join("; ")}${cut}`);
  return ended(containerId, problems.length ? `switched, but old containers remain: ${problems.join("; ")}` : null);
}

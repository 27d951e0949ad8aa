// One reducer for an operation's live progress. The console's live view and the CLI's board both
// fold an operation's events through it, so they agree on what is running, done and failed.
// Browser-safe and pure: (progress, event) -> progress, with new objects for what changed.

/** What the reducer reads of an OperationEvent (the SDK's OperationEventFields fragment has it all). */
export interface ProgressEvent {
  seq: number;
  step: string;
  level: "DEBUG" | "INFO" | "WARN" | "ERROR";
  message: string;
  progress?: number | null;
  serverId: string | null;
  /** A deployment's state on the event's server, when the event moved it (the API's ReleaseState). */
  releaseState?: string | null;
}

export type StepStatus = "running" | "done" | "failed" | "warning";

export interface ProgressStep {
  /** The step's name in the events ("image", "release", "connect", ...). */
  step: string;
  /** The step in words. */
  label: string;
  status: StepStatus;
  /** The step's latest message. */
  message: string;
  /** 0..1 when the step reported one. */
  progress: number | null;
  /** For a release step: the release's state on its server (the API's ReleaseState). */
  releaseState: string | null;
}

/** One server's steps (serverId null: the control plane's own). */
export interface ProgressLane {
  serverId: string | null;
  steps: readonly ProgressStep[];
}

export interface Progress {
  /** The last event folded in; events at or before it are ignored, so a replay after a reconnect changes nothing. */
  lastSeq: number;
  /** In the order they first had an event. */
  lanes: readonly ProgressLane[];
  /** Every server of a deploy or rollback routes traffic to the new release (before it finished draining). */
  routed: boolean;
  /** How the operation ended, once it has: succeeded (ok), cancelled, or failed (neither). */
  outcome: { ok: boolean; cancelled: boolean; message: string } | null;
}

export const emptyProgress: Progress = { lastSeq: 0, lanes: [], routed: false, outcome: null };

/** Control-plane steps with a meaning of their own. */
export const FINISHED_STEP = "finished";
export const ROUTED_STEP = "routed";

export function reduceProgress(progress: Progress, event: ProgressEvent): Progress {
  if (event.seq <= progress.lastSeq) return progress;
  const next: Progress = { ...progress, lastSeq: event.seq };
  // Log lines (a build's output) belong to the log, not to the steps.
  if (event.level === "DEBUG") return next;
  if (event.step === FINISHED_STEP && event.serverId === null) return finish(next, event);
  if (event.step === ROUTED_STEP && event.serverId === null) next.routed = true;
  return { ...next, lanes: withStep(next.lanes, event) };
}

/** Folds a whole list (a replay, a recorded stream). */
export function progressOf(events: Iterable<ProgressEvent>, start: Progress = emptyProgress): Progress {
  let progress = start;
  for (const event of events) progress = reduceProgress(progress, event);
  return progress;
}

function withStep(lanes: readonly ProgressLane[], event: ProgressEvent): ProgressLane[] {
  const serverId = event.serverId ?? null;
  const index = lanes.findIndex((lane) => lane.serverId === serverId);
  const steps = index >= 0 ? lanes[index]!.steps : [];
  const at = steps.findIndex((s) => s.step === event.step);
  let nextSteps: ProgressStep[];
  if (at >= 0) {
    nextSteps = steps.map((s, i) => (i === at ? updated(s, event) : s));
  } else {
    // A new step starting normally means the ones before it on this server are over. A new step
    // that starts with an error is a report about the step before it, which therefore failed.
    const before = event.level === "ERROR" ? "failed" : "done";
    nextSteps = [...steps.map((s) => (s.status === "running" ? { ...s, status: before as StepStatus } : s)), updated(null, event)];
  }
  const lane = { serverId, steps: nextSteps };
  return index >= 0 ? lanes.map((l, i) => (i === index ? lane : l)) : [...lanes, lane];
}

function updated(step: ProgressStep | null, event: ProgressEvent): ProgressStep {
  const releaseState = event.releaseState ?? step?.releaseState ?? null;
  return {
    step: event.step,
    label: stepLabel(event.step),
    status: statusAfter(step?.status ?? "running", event, releaseState),
    message: event.message,
    progress: event.progress ?? step?.progress ?? null,
    releaseState,
  };
}

function statusAfter(current: StepStatus, event: ProgressEvent, releaseState: string | null): StepStatus {
  // A failure stays visible on its step even as later lines of the step arrive.
  if (current === "failed" || event.level === "ERROR" || releaseState === "FAILED" || releaseState === "UNKNOWN") return "failed";
  if (current === "warning" || event.level === "WARN") return "warning";
  if (releaseState !== null && SETTLED_RELEASE.has(releaseState)) return "done";
  return "running";
}

const SETTLED_RELEASE = new Set(["STOPPED", "REVERTED"]);

/** The operation ended: a step still running then is done, stopped (cancelled), or the one that failed. */
function finish(progress: Progress, event: ProgressEvent): Progress {
  // The last event says how: INFO succeeded, WARN was cancelled, ERROR failed or was interrupted.
  const ok = event.level === "INFO";
  const cancelled = event.level === "WARN";
  const end: StepStatus = ok ? "done" : cancelled ? "warning" : "failed";
  return {
    ...progress,
    outcome: { ok, cancelled, message: event.message },
    lanes: progress.lanes.map((lane) => ({ ...lane, steps: lane.steps.map((s) => (s.status === "running" ? { ...s, status: end } : s)) })),
  };
}

const STEP_LABELS: Readonly<Record<string, string>> = {
  // deploys and rollbacks
  certificate: "Certificate",
  build: "Build the image",
  image: "Image",
  release: "Release",
  revert: "Put back",
  routed: "Traffic moved",
  dns: "DNS records",
  cleanup: "Clean up images",
  reconcile: "Bring back in line",
  // adopting a host, upgrading its agent
  connect: "Connect over SSH",
  "host-key": "Check the host key",
  prerequisites: "Check docker, nginx and node",
  upload: "Upload the agent",
  "init-system": "Detect the init system",
  service: "Install the agent service",
  start: "Start the agent",
  health: "Wait for the agent",
  "server-status": "Server status",
  // provisioning, snapshots, deleting servers
  "ssh-key": "SSH key",
  droplet: "Droplet",
  "cloud-init": "Cloud-init",
  ssh: "Wait for SSH",
  agent: "Agent",
  "power-off": "Power off",
  snapshot: "Snapshot",
  drain: "Stop routing to it",
  destroy: "Destroy the droplet",
  // deleting a service
  check: "Check its servers answer",
  retire: "Remove containers and nginx site",
  images: "Remove images",
  forget: "Delete it from Slipway",
  summary: "Summary",
  cancel: "Cancel requested",
  finished: "Finished",
};

/** A step's name in words; an unknown one is spelled out from its name. */
export function stepLabel(step: string): string {
  const known = STEP_LABELS[step];
  if (known) return known;
  const words = step.replace(/[-_]+/g, " ").trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : step;
}

const RELEASE_STATE_LABELS: Readonly<Record<string, string>> = {
  PENDING: "Waiting",
  STARTING: "Starting",
  HEALTHY: "Healthy",
  UNHEALTHY: "Unhealthy",
  SWITCHED: "Serving",
  DRAINING: "Draining the old one",
  STOPPED: "Serving, old one stopped",
  FAILED: "Failed",
  REVERTED: "Put back",
  UNKNOWN: "Unknown: contact lost",
};

/** A release state (the API's ReleaseState) in words. */
export function releaseStateLabel(state: string): string {
  return RELEASE_STATE_LABELS[state] ?? stepLabel(state.toLowerCase());
}

// POST /v1/releases/give-up: the control plane replica that took an interrupted deploy over gives
// the deploy's release up on this server before it reads what the server runs. The replica that
// asked for the release may still hold its connection open (it is frozen, or its machine was lost
// without a word to this host), so the release would otherwise switch once its app became
// healthy, after the takeover recorded the server on its previous release. Before its switch a
// release stops here as if its caller had gone (release.ts); from its health check on it finishes
// switching and the answer says so, for the control plane to put the server back.
import { setTimeout as sleep } from "node:timers/promises";
import { GIVE_UP_WAIT_MS, isLive, type GiveUpRequest, type GiveUpResult, type ReleaseState } from "../protocol/index.js";
import type { AgentDeps } from "./deps.js";
import type { InFlightRelease } from "./in-flight-releases.js";
import { serviceStatus } from "./services.js";

export const GIVEN_UP = "given up: the control plane that took this interrupted deploy over gave this release up before the switch";
export const REFUSED = "refused: this deployment was given up on this server (its deploy was interrupted); no release of it starts here any more";

export async function giveUpRelease(deps: AgentDeps, req: GiveUpRequest, waitMs = GIVE_UP_WAIT_MS): Promise<GiveUpResult> {
  const inFlight = deps.releases.giveUp(req.service, req.deployment, REFUSED);
  const switching = inFlight.filter((r) => pastHealthCheck(r.state));
  const stopping = inFlight.filter((r) => !pastHealthCheck(r.state));
  for (const r of stopping) r.giveUp(GIVEN_UP);
  // A stopped release removes its new container before it ends; a switching one finishes its switch.
  const [, switchDone] = await Promise.all([endedWithin(stopping, waitMs), endedWithin(switching, waitMs)]);
  const serves = (await serviceStatus(deps, req.service)).deployment === req.deployment;
  if (!serves && switchDone) return { outcome: inFlight.length > 0 ? "gave_up" : "nothing_in_flight" };
  // Its release here has been sent and went through: refusing a later one would only stop the
  // control plane from releasing it again if the whole fleet stays on it.
  deps.releases.forgive(req.service, req.deployment);
  return { outcome: "switched" };
}

/** From "healthy" on, a release no longer looks at being given up: it switches. */
function pastHealthCheck(state: ReleaseState): boolean {
  return state === "healthy" || isLive(state);
}

/** Whether every one of `releases` ended within `ms`. */
async function endedWithin(releases: readonly InFlightRelease[], ms: number): Promise<boolean> {
  if (releases.length === 0) return true;
  const timer = new AbortController();
  try {
    return await Promise.race([Promise.all(releases.map((r) => r.ended)).then(() => true), sleep(ms, false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

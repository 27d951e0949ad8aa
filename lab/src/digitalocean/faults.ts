import { FaultController } from "../simulator-shared/faults.js";

// DigitalOcean's fault controls: the shared request faults plus faults on droplets, matched
// against the droplet's name.
export class DigitalOceanFaults extends FaultController {
  /** The next `times` droplet actions (create included) end "errored". */
  errorNextAction(times = 1, options: { match?: string } = {}) {
    return this.inject({ kind: "action-error", times, ...options });
  }

  /** The next `times` droplets boot, become active, and are then cut off the network. */
  unreachableNext(times = 1, options: { match?: string } = {}) {
    return this.inject({ kind: "unreachable", times, ...options });
  }
}

export const DIGITALOCEAN_FAULT_KINDS = ["error", "hang", "rate-limit", "action-error", "unreachable"] as const;

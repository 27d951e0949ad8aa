// What provisioning reaches outside itself: the DigitalOcean client (with the stored credential)
// and the agent bring-up over SSH. Defaults are the real things; tests and benchmarks replace
// parts per control plane (a faster action poll, a bring-up that needs no real host).
import type { Server } from "../../generated/prisma/client.js";
import { DigitalOceanClient, type DigitalOceanClientOptions } from "../../integrations/digitalocean/index.js";
import { readProviderToken } from "../credentials/credentials.js";
import type { Deps } from "../deps.js";
import type { OperationContext } from "../operations/run-operation.js";
import type { HealthResponse } from "@slipway/agent/protocol";
import { HostKeyMismatchError } from "../../integrations/ssh/errors.js";
import { installAgent } from "../servers/install-agent.js";
import { waitForSsh } from "./droplet-steps.js";
import { prepareSnapshotHost, type TemporaryDroplet } from "./prepare-snapshot-host.js";

export type DigitalOceanTuning = Omit<DigitalOceanClientOptions, "token" | "apiUrl">;

export interface ProvisioningEnvironment {
  /** Client options besides the token and URL (polling, retries, rate-limit waits). */
  digitalOcean: DigitalOceanTuning;
  /** Connects to a recorded droplet, pins its key, gives its agent its own token, waits for it. */
  bringUpAgent(deps: Deps, ctx: OperationContext, serverId: string): Promise<Server>;
  /** Installs the agent on a snapshot's temporary droplet and waits until it answers. */
  installSnapshotAgent(deps: Deps, ctx: OperationContext, droplet: TemporaryDroplet): Promise<HealthResponse>;
  /** How long to wait for a droplet's sshd after its create action completed. */
  sshWaitMs: number;
  /** How long a deleted droplet may take to disappear from the API. */
  goneWaitMs: number;
}

const DEFAULTS: ProvisioningEnvironment = {
  digitalOcean: {},
  bringUpAgent: async (deps, ctx, serverId) => {
    const waitMs = provisioningEnvironment(deps).sshWaitMs;
    const server = await deps.db.server.findUniqueOrThrow({ where: { id: serverId } });
    await ctx.emit({ step: "ssh", message: `Waiting for sshd on ${server.publicIpv4}`, serverId });
    // First contact pins the key; installAgent then reconnects and checks it.
    const ssh = await waitForSsh(() => deps.connections.ssh(server), waitMs).catch((error: unknown) => {
      if (error instanceof HostKeyMismatchError) throw error;
      throw new Error(`${server.name} never became reachable over SSH: ${(error as Error).message}`);
    });
    await ctx.emit({ step: "host-key", message: `Pinned the host key ${ssh.hostKeyFingerprint}`, serverId });
    return installAgent(deps, ctx, serverId);
  },
  installSnapshotAgent: (deps, ctx, droplet) => prepareSnapshotHost(deps, ctx, droplet, provisioningEnvironment(deps).sshWaitMs),
  sshWaitMs: 120_000,
  goneWaitMs: 120_000,
};

const overrides = new WeakMap<Deps, Partial<ProvisioningEnvironment>>();

/** Replaces parts of the environment for one control plane (tests, benchmarks). */
export function configureProvisioning(deps: Deps, environment: Partial<ProvisioningEnvironment>): void {
  overrides.set(deps, { ...overrides.get(deps), ...environment });
}

export function provisioningEnvironment(deps: Deps): ProvisioningEnvironment {
  return { ...DEFAULTS, ...overrides.get(deps) };
}

/** A DigitalOcean client with the stored "default" DIGITALOCEAN credential. */
export async function digitalOceanClient(deps: Deps): Promise<DigitalOceanClient> {
  const token = await readProviderToken(deps, "DIGITALOCEAN");
  return new DigitalOceanClient({ ...provisioningEnvironment(deps).digitalOcean, token, apiUrl: deps.config.digitalOceanApiUrl });
}

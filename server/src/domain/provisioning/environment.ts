// What provisioning reaches outside itself: the DigitalOcean client (with the stored credential)
// and the agent bring-up over SSH. app.ts builds the environment once (tests and benchmarks
// replace parts of it through buildApp's options: a faster action poll, a bring-up that needs no
// real host).
import type { Server } from "../../generated/prisma/client.js";
import { DigitalOceanClient } from "../../integrations/digitalocean/index.js";
import { HostKeyMismatchError } from "../../integrations/ssh/errors.js";
import { readProviderToken } from "../credentials/credentials.js";
import type { Deps } from "../deps.js";
import type { OperationContext, ProvisioningEnvironment } from "../ports.js";
import { installAgent } from "../servers/install-agent.js";
import { waitForSsh } from "./droplet-steps.js";
import { prepareSnapshotHost } from "./prepare-snapshot-host.js";

/** The real environment: SSH to the droplet, pin its key, install the agent over it. */
export function defaultProvisioningEnvironment(deps: Deps): ProvisioningEnvironment {
  return {
    digitalOcean: {},
    sshWaitMs: 120_000,
    goneWaitMs: 120_000,
    bringUpAgent: (ctx, serverId) => bringUpAgent(deps, ctx, serverId),
    installSnapshotAgent: (ctx, droplet) => prepareSnapshotHost(deps, ctx, droplet, deps.provisioning.sshWaitMs),
  };
}

async function bringUpAgent(deps: Deps, ctx: OperationContext, serverId: string): Promise<Server> {
  const server = await deps.db.server.findUniqueOrThrow({ where: { id: serverId } });
  await ctx.emit({ step: "ssh", message: `Waiting for sshd on ${server.publicIpv4}`, serverId });
  // First contact pins the key; installAgent then reconnects and checks it.
  const ssh = await waitForSsh(() => deps.connections.ssh(server), deps.provisioning.sshWaitMs).catch((error: unknown) => {
    if (error instanceof HostKeyMismatchError) throw error;
    throw new Error(`${server.name} never became reachable over SSH: ${(error as Error).message}`);
  });
  await ctx.emit({ step: "host-key", message: `Pinned the host key ${ssh.hostKeyFingerprint}`, serverId });
  return installAgent(deps, ctx, serverId);
}

/** A DigitalOcean client with the stored "default" DIGITALOCEAN credential, on the token's shared request budget. */
export async function digitalOceanClient(deps: Deps): Promise<DigitalOceanClient> {
  const token = await readProviderToken(deps, "DIGITALOCEAN");
  return new DigitalOceanClient({ ...deps.provisioning.digitalOcean, token, apiUrl: deps.config.digitalOceanApiUrl, rateBudget: deps.rateBudget });
}

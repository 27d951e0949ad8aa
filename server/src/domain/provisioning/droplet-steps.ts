// Steps shared by the provisioning operations: following a droplet's create action, waiting for
// its sshd, and destroying a droplet until the API no longer knows it.
import { setTimeout as sleep } from "node:timers/promises";
import type { DigitalOceanClient, Droplet } from "../../integrations/digitalocean/index.js";
import { DigitalOceanError } from "../../integrations/digitalocean/index.js";
import { HostKeyMismatchError } from "../../integrations/ssh/errors.js";
import type { SshConnection } from "../../integrations/ssh/connection.js";
import { ProviderError } from "./errors.js";

/** The tag every temporary (snapshot-making) droplet carries besides the managed tag. */
export const SNAPSHOT_TEMP_TAG = "slipway-snapshot-temp";

/** Follows the droplet's create action to completion; returns the droplet as it then is. */
export async function followCreate(client: DigitalOceanClient, droplet: Pick<Droplet, "id" | "name">): Promise<Droplet> {
  const action = (await client.listDropletActions(droplet.id)).filter((a) => a.type === "create").sort((a, b) => (b.id ?? 0) - (a.id ?? 0))[0];
  if (action?.id !== undefined) await client.waitForAction(action.id);
  const fresh = await client.getDroplet(droplet.id);
  if (!fresh) throw new ProviderError(`Droplet ${droplet.id} (${droplet.name}) disappeared while it was being created`);
  return fresh;
}

export function publicIpv4(droplet: Droplet): string {
  const address = droplet.networks?.v4?.find((n) => n.type === "public")?.ip_address;
  if (!address) throw new ProviderError(`Droplet ${droplet.id} (${droplet.name}) is active but has no public IPv4 address`);
  return address;
}

export function privateIpv4(droplet: Droplet): string | null {
  return droplet.networks?.v4?.find((n) => n.type === "private")?.ip_address ?? null;
}

/** Deletes the droplet (refusing an unmanaged one unless forced) and waits until it is gone. */
export async function destroyDroplet(client: DigitalOceanClient, id: number, options: { force?: boolean; goneWaitMs: number }): Promise<void> {
  await client.deleteDroplet(id, { force: options.force ?? false });
  const deadline = Date.now() + options.goneWaitMs;
  let interval = 250;
  while ((await client.getDroplet(id)) !== undefined) {
    if (Date.now() > deadline) throw new ProviderError(`Droplet ${id} was still there ${Math.round(options.goneWaitMs / 1000)} s after it was deleted`);
    await sleep(interval);
    interval = Math.min(5_000, interval * 2);
  }
}

/**
 * Retries connecting until sshd answers (a new droplet's sshd starts some seconds after it is
 * "active"); a changed host key is never retried.
 */
export async function waitForSsh(connect: () => Promise<SshConnection>, waitMs: number): Promise<SshConnection> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await connect();
    } catch (error) {
      if (error instanceof HostKeyMismatchError || Date.now() > deadline) throw error;
      await sleep(2_000);
    }
  }
}

/** DigitalOcean's errors become domain errors (their messages never hold the token). */
export function asProviderError(error: unknown): unknown {
  return error instanceof DigitalOceanError ? new ProviderError(error.message) : error;
}

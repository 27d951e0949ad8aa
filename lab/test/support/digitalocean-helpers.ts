import { generateKeyPairSync } from "node:crypto";
import type { digitalOceanClient } from "./digitalocean-client.js";

type Call = ReturnType<typeof digitalOceanClient>;

/**
 * Polls an action until it leaves "in-progress"; returns its final status. Against the real rate
 * limits (250 requests a minute) poll slower than the default, e.g. every 250 ms.
 */
export async function waitForAction(call: Call, actionId: number, timeoutMs = 10_000, intervalMs = 20): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await call("GET", `/v2/actions/${actionId}`);
    if (status !== 200) throw new Error(`GET /v2/actions/${actionId}: ${status} ${JSON.stringify(body)}`);
    if (body.action.status !== "in-progress") return body.action.status as string;
    if (Date.now() > deadline) throw new Error(`action ${actionId} still in progress`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A fresh ed25519 public key in OpenSSH format. */
export function opensshPublicKey(comment = "lab@test"): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  // The key blob is a sequence of length-prefixed strings: key type, then key bytes.
  const parts = [Buffer.from("ssh-ed25519"), raw].map((b) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  });
  return `ssh-ed25519 ${Buffer.concat(parts).toString("base64")} ${comment}`;
}

export const DROPLET_DEFAULTS = { region: "nyc3", size: "s-1vcpu-1gb", image: "debian-12-x64" } as const;

import { createHash } from "node:crypto";
import type { components } from "@slipway/digitalocean-api";
import { notFound, unprocessable } from "../errors.js";
import { sshKeyJson } from "../presenters.js";
import { listReply, type RouteContext } from "./context.js";

/** DigitalOcean's fingerprint: MD5 of the key blob, as colon-separated hex. */
function fingerprintOf(publicKey: string): string {
  const [type, blob] = publicKey.trim().split(/\s+/);
  const bytes = Buffer.from(blob ?? "", "base64");
  // An OpenSSH key blob starts with its own type as a length-prefixed string.
  const declared = bytes.length > 4 ? bytes.subarray(4, 4 + bytes.readUInt32BE(0)).toString("latin1") : "";
  if (!type || declared !== type) throw unprocessable("Key invalid, key should be of the form `type key [comment]`");
  return createHash("md5").update(bytes).digest("hex").match(/../g)!.join(":");
}

export function registerAccountRoutes(ctx: RouteContext): void {
  const { router, state } = ctx;

  router.add("GET", "/v2/account", () => ({
    status: 200,
    body: {
      account: {
        droplet_limit: 25,
        floating_ip_limit: 3,
        email: "lab@slipway.test",
        uuid: "b6fr89dbf6d9156cace5f3c78dc9851d957381ef",
        email_verified: true,
        status: "active",
        status_message: "",
      } satisfies components["schemas"]["account"],
    },
  }));

  router.add("GET", "/v2/account/keys", (req) => listReply(ctx, req, "ssh_keys", [...state.sshKeys.values()].map(sshKeyJson)));

  router.add("POST", "/v2/account/keys", (req) => {
    const body = req.body as components["schemas"]["sshKeys"];
    const fingerprint = fingerprintOf(body.public_key);
    if (state.findSshKey(fingerprint)) throw unprocessable("SSH Key is already in use on your account");
    const key = { id: state.nextId("sshKey"), name: body.name, publicKey: body.public_key.trim(), fingerprint };
    state.sshKeys.set(key.id, key);
    return { status: 201, body: { ssh_key: sshKeyJson(key) } };
  });

  router.add("GET", "/v2/account/keys/{ssh_key_identifier}", (req) => {
    const key = state.findSshKey(req.params.ssh_key_identifier!);
    if (!key) throw notFound();
    return { status: 200, body: { ssh_key: sshKeyJson(key) } };
  });

  router.add("PUT", "/v2/account/keys/{ssh_key_identifier}", (req) => {
    const key = state.findSshKey(req.params.ssh_key_identifier!);
    if (!key) throw notFound();
    const { name } = req.body as { name?: string };
    if (name !== undefined) key.name = name;
    return { status: 200, body: { ssh_key: sshKeyJson(key) } };
  });

  router.add("DELETE", "/v2/account/keys/{ssh_key_identifier}", (req) => {
    const key = state.findSshKey(req.params.ssh_key_identifier!);
    if (!key) throw notFound();
    state.sshKeys.delete(key.id);
    return { status: 204 };
  });
}

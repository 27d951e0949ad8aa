// The control plane's SSH identity: ssh2's keygen makes an unreadable ed25519 pair about once in
// 256 (mscdex/ssh2#1513), which once failed a control plane's first start.
import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { generateSshIdentity, identityFromPrivateKey } from "../src/integrations/ssh/identity.js";

describe("the control plane's SSH identity", () => {
  it("is always readable: 2,000 new identities, each private key and authorized_keys line parsed back", () => {
    for (let i = 0; i < 2_000; i++) {
      const identity = generateSshIdentity();
      expect(ssh2.utils.parseKey(identity.privateKey)).not.toBeInstanceOf(Error);
      expect(ssh2.utils.parseKey(identity.publicKey)).not.toBeInstanceOf(Error);
      expect(identity.publicKey).toMatch(/^ssh-ed25519 \S+ slipway-control-plane$/);
    }
  });

  it("derives the same authorized_keys line from a stored private key", () => {
    const identity = generateSshIdentity();
    expect(identityFromPrivateKey(identity.privateKey)).toEqual(identity);
  });
});

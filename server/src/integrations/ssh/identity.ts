import ssh2 from "ssh2";

export interface SshIdentity {
  /** OpenSSH private key; never leaves the control plane. */
  privateKey: string;
  /** One authorized_keys line, e.g. "ssh-ed25519 AAAA... slipway-control-plane". */
  publicKey: string;
}

const COMMENT = "slipway-control-plane";

/** A new ed25519 key pair for the control plane. */
export function generateSshIdentity(): SshIdentity {
  // ssh2's keygen strips leading zero bytes from the public key, so about one pair in 256 comes
  // out malformed (mscdex/ssh2#1513, #1390): such a pair is never used, another is made.
  for (let attempt = 1; ; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: COMMENT });
    const readable = !(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error);
    if (readable || attempt === 20) return identityFromPrivateKey(pair.private);
  }
}

/** The identity of an OpenSSH private key, its authorized_keys line derived from it. */
export function identityFromPrivateKey(privateKey: string): SshIdentity {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`The control plane's SSH key is unreadable: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return { privateKey, publicKey: `${key.type} ${key.getPublicSSH().toString("base64")} ${COMMENT}` };
}

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
  const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: COMMENT });
  return identityFromPrivateKey(pair.private);
}

/** The identity of an OpenSSH private key, its authorized_keys line derived from it. */
export function identityFromPrivateKey(privateKey: string): SshIdentity {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`The control plane's SSH key is unreadable: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  return { privateKey, publicKey: `${key.type} ${key.getPublicSSH().toString("base64")} ${COMMENT}` };
}

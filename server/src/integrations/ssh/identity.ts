import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ssh2 from "ssh2";

export interface SshIdentity {
  /** OpenSSH private key; never leaves the control plane. */
  privateKey: string;
  /** One authorized_keys line, e.g. "ssh-ed25519 AAAA... slipway-control-plane". */
  publicKey: string;
}

const COMMENT = "slipway-control-plane";

/**
 * The control plane's own SSH key: an ed25519 pair generated once into `<dataDir>/ssh/id_ed25519`
 * (mode 0600, the public half next to it) and read from there on every later start.
 */
export function loadOrCreateSshIdentity(dataDir: string): SshIdentity {
  const dir = path.join(dataDir, "ssh");
  const keyFile = path.join(dir, "id_ed25519");
  const pubFile = `${keyFile}.pub`;
  if (!existsSync(keyFile)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment: COMMENT });
    try {
      // "wx": if another process created it meanwhile, keep theirs.
      writeFileSync(keyFile, pair.private, { mode: 0o600, flag: "wx" });
      chmodSync(keyFile, 0o600);
      writeFileSync(pubFile, pair.public.trim() + "\n", { mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const privateKey = readFileSync(keyFile, "utf8");
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`The control plane's SSH key ${keyFile} is unreadable: ${parsed.message}`);
  const key = Array.isArray(parsed) ? parsed[0]! : parsed;
  const publicKey = `${key.type} ${key.getPublicSSH().toString("base64")} ${COMMENT}`;
  if (!existsSync(pubFile)) writeFileSync(pubFile, publicKey + "\n", { mode: 0o644 });
  return { privateKey, publicKey };
}

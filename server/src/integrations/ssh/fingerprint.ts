import { createHash } from "node:crypto";

/** OpenSSH's form (`ssh-keygen -lf`): "SHA256:" + unpadded base64 of the key blob's digest. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { Database } from "../../db.js";
import { generateSshIdentity, identityFromPrivateKey, type SshIdentity } from "../../integrations/ssh/identity.js";
import type { SecretBox } from "../crypto/secret-box.js";
import { isUniqueViolation } from "../projects/projects.js";

const KEY_NAME = "ssh";
const PURPOSE = "control-plane-ssh-key";

/**
 * The control plane's SSH identity, one for every replica: kept in the database with its private
 * half encrypted. Made on first start; if an earlier version left one in `<dataDir>/ssh`, that one
 * is imported (servers already trust it) and its private key file removed.
 */
export async function loadControlPlaneIdentity(db: Database, secrets: SecretBox, dataDir: string): Promise<SshIdentity> {
  const stored = await db.controlPlaneKey.findUnique({ where: { name: KEY_NAME } });
  if (stored) return identityFromPrivateKey(secrets.decrypt(stored.privateKeyCiphertext, PURPOSE));

  const legacyFile = path.join(dataDir, "ssh", "id_ed25519");
  const identity = existsSync(legacyFile) ? identityFromPrivateKey(readFileSync(legacyFile, "utf8")) : generateSshIdentity();
  // Replicas starting together: the first insert wins (the others' fail on the key) and everyone uses it.
  await db.controlPlaneKey
    .create({ data: { name: KEY_NAME, publicKey: identity.publicKey, privateKeyCiphertext: secrets.encrypt(identity.privateKey, PURPOSE) } })
    .catch((error: unknown) => {
      if (!isUniqueViolation(error)) throw error;
    });
  const winner = await db.controlPlaneKey.findUniqueOrThrow({ where: { name: KEY_NAME } });
  if (existsSync(legacyFile)) rmSync(legacyFile, { force: true });
  return identityFromPrivateKey(secrets.decrypt(winner.privateKeyCiphertext, PURPOSE));
}

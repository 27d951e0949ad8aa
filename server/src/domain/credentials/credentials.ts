import { z } from "zod";
import type { Credential, CredentialProvider } from "../../generated/prisma/client.js";
import { verifyCloudflareToken } from "../../integrations/cloudflare/verify-token.js";
import { verifyDigitalOceanToken } from "../../integrations/digitalocean/verify-token.js";
import type { Viewer } from "../auth/viewer.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";
import { parseInput } from "../validation.js";

const PURPOSE = "credential";

const SetCredentialInput = z.object({
  provider: z.enum(["DIGITALOCEAN", "CLOUDFLARE"]),
  name: z.string().trim().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "use 1-40 lowercase letters, digits or hyphens").default("default"),
  // Provider tokens are printable ASCII without spaces; anything else is a paste error.
  token: z.string().trim().min(20, "is too short to be a provider token").max(512).regex(/^[\x21-\x7e]+$/, "must not contain spaces or control characters"),
});

/**
 * Stores (or replaces) a provider token, encrypted, then verifies it with the provider. The token
 * is kept whatever the provider says (or if it cannot be reached): the outcome is recorded on it.
 * It is never returned afterwards.
 */
export async function setCredential(deps: Deps, viewer: Viewer, input: unknown): Promise<Credential> {
  const { provider, name, token } = parseInput(SetCredentialInput, input);
  const ciphertext = deps.secrets.encrypt(token, PURPOSE);
  const saved = await deps.db.credential.upsert({
    where: { provider_name: { provider, name } },
    create: { provider, name, ciphertext, createdById: viewer.userId },
    update: { ciphertext, createdById: viewer.userId, verifiedAt: null, verificationError: null },
  });
  return verifyCredential(deps, saved.id);
}

const UNREACHABLE = "Could not reach the provider: ";

export type VerificationState = "VERIFIED" | "REJECTED" | "UNREACHABLE" | "UNVERIFIED";

/** Whether the provider accepted the token, refused it, or could not be asked. */
export function verificationState(credential: Pick<Credential, "verifiedAt" | "verificationError">): VerificationState {
  if (credential.verifiedAt) return "VERIFIED";
  if (!credential.verificationError) return "UNVERIFIED";
  return credential.verificationError.startsWith(UNREACHABLE) ? "UNREACHABLE" : "REJECTED";
}

/** Checks the stored token with its provider and records the outcome. */
export async function verifyCredential(deps: Deps, credentialId: string): Promise<Credential> {
  const credential = await getCredentialOrThrow(deps, credentialId);
  const token = deps.secrets.decrypt(credential.ciphertext, PURPOSE);
  let problem: string | null;
  try {
    problem = await verifierFor(deps, credential.provider)(token);
  } catch (error) {
    problem = `${UNREACHABLE}${(error as Error).message}`;
  }
  return deps.db.credential.update({
    where: { id: credential.id },
    data: problem === null ? { verifiedAt: new Date(), verificationError: null } : { verifiedAt: null, verificationError: problem },
  });
}

function verifierFor(deps: Deps, provider: CredentialProvider): (token: string) => Promise<string | null> {
  switch (provider) {
    case "DIGITALOCEAN":
      return (token) => verifyDigitalOceanToken(deps.config.digitalOceanApiUrl, token);
    case "CLOUDFLARE":
      return (token) => verifyCloudflareToken(deps.config.cloudflareApiUrl, token);
  }
}

export async function deleteCredential(deps: Deps, credentialId: string): Promise<Credential> {
  const credential = await getCredentialOrThrow(deps, credentialId);
  await deps.db.credential.delete({ where: { id: credential.id } });
  return credential;
}

export async function listCredentials(deps: Deps): Promise<Credential[]> {
  return deps.db.credential.findMany({ orderBy: [{ provider: "asc" }, { name: "asc" }] });
}

/** The decrypted token, for the integrations that call the provider; never for the API. */
export async function readProviderToken(deps: Deps, provider: CredentialProvider, name = "default"): Promise<string> {
  const credential = await deps.db.credential.findUnique({ where: { provider_name: { provider, name } } });
  if (!credential) throw new NotFoundError(`A ${provider} credential named "${name}"`);
  return deps.secrets.decrypt(credential.ciphertext, PURPOSE);
}

async function getCredentialOrThrow(deps: Deps, credentialId: string): Promise<Credential> {
  const credential = await deps.db.credential.findUnique({ where: { id: credentialId } });
  if (!credential) throw new NotFoundError("Credential");
  return credential;
}

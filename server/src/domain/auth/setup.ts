import { z } from "zod";
import type { Deps } from "../deps.js";
import { ConflictError, ValidationError } from "../errors.js";
import { email, parseInput } from "../validation.js";
import { hashPassword } from "./passwords.js";
import { startSession, type ClientInfo, type SessionPayload } from "./sessions.js";
import { hashToken, issueToken } from "./tokens.js";

export const password = z.string().min(12, "must be at least 12 characters").max(1024);

/**
 * On first start: create the admin named by the environment, or print a one-time setup token.
 * There is never a default password.
 */
export async function bootstrapFirstAdmin(deps: Deps): Promise<{ setupToken?: string }> {
  if ((await deps.db.user.count()) > 0) return {};
  const admin = deps.config.initialAdmin;
  if (admin) {
    const parsed = parseInput(z.object({ email, password, name: z.string().trim().min(1).max(100) }), admin);
    await deps.db.user.create({
      data: { email: parsed.email, name: parsed.name, role: "ADMIN", passwordHash: await hashPassword(parsed.password) },
    });
    deps.log.info({ email: parsed.email }, "created the first admin from SLIPWAY_ADMIN_EMAIL");
    return {};
  }
  // Each start (each replica) prints a token of its own; any unused one works until setup is done,
  // so replicas starting together never invalidate each other's.
  const issued = issueToken("SETUP");
  await deps.db.setupToken.create({ data: { tokenHash: issued.hash } });
  return { setupToken: issued.token };
}

export async function needsSetup(deps: Deps): Promise<boolean> {
  return (await deps.db.user.count()) === 0;
}

const CompleteSetupInput = z.object({
  setupToken: z.string().min(1).max(200),
  email,
  name: z.string().trim().min(1).max(100),
  password,
});

/** Creates the first admin with the one-time setup token and signs them in. */
export async function completeSetup(deps: Deps, input: unknown, client: ClientInfo = {}): Promise<SessionPayload> {
  const parsed = parseInput(CompleteSetupInput, input);
  // Wrong setup tokens count like wrong passwords, against one "account" and the address.
  await deps.loginGuard.check(SETUP_ACCOUNT, client.address);
  const passwordHash = await deps.passwordHashing.run(() => hashPassword(parsed.password));
  const user = await deps.db.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) throw new ConflictError("Slipway is already set up");
    const claimed = await tx.setupToken.updateMany({
      where: { tokenHash: hashToken(parsed.setupToken), usedAt: null },
      data: { usedAt: new Date() },
    });
    if (claimed.count !== 1) return undefined; // nothing was written
    // Setup happens once: every other replica's token is spent with it.
    await tx.setupToken.updateMany({ where: { usedAt: null }, data: { usedAt: new Date() } });
    return tx.user.create({ data: { email: parsed.email, name: parsed.name, role: "ADMIN", passwordHash } });
  });
  if (!user) {
    await deps.loginGuard.recordFailure(SETUP_ACCOUNT, client.address);
    throw new ValidationError("The setup token is wrong or was already used", [{ path: ["setupToken"], message: "wrong or already used" }]);
  }
  return startSession(deps, user, client);
}

const SETUP_ACCOUNT = "(setup)";

// Users and their roles. Admins create users, change roles and disable or enable accounts; every
// user changes their own password. At least one active admin always remains.
import { z } from "zod";
import type { Prisma, User, UserRole } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { ConflictError, InvalidCredentialsError, NotFoundError } from "../errors.js";
import { isUniqueViolation } from "../projects/projects.js";
import { email, parseInput } from "../validation.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { endSessionsOf } from "./sessions.js";
import { password } from "./setup.js";
import type { Viewer } from "./viewer.js";

const role = z.enum(["ADMIN", "MEMBER", "VIEWER"]);

const CreateUserInput = z.object({
  email,
  name: z.string().trim().min(1).max(100),
  password,
  role: role.default("MEMBER"),
});

export async function createUser(deps: Deps, input: unknown): Promise<User> {
  const parsed = parseInput(CreateUserInput, input);
  const passwordHash = await deps.passwordHashing.run(() => hashPassword(parsed.password));
  try {
    return await deps.db.user.create({ data: { email: parsed.email, name: parsed.name, role: parsed.role, passwordHash } });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`A user with the email ${parsed.email} already exists`);
    throw error;
  }
}

export async function listUsers<Q extends object>(deps: Deps, query?: Q): Promise<User[]> {
  return deps.db.user.findMany({ ...query, orderBy: { email: "asc" } });
}

export async function setUserRole(deps: Deps, input: unknown): Promise<User> {
  const parsed = parseInput(z.object({ userId: z.string().uuid(), role }), input);
  return changeKeepingAnAdmin(deps, parsed.userId, { role: parsed.role });
}

/** A disabled user's tokens stop working at their next request; their sessions end now. */
export async function disableUser(deps: Deps, userId: string): Promise<User> {
  const user = await changeKeepingAnAdmin(deps, userId, { disabledAt: deps.clock.now() });
  await endSessionsOf(deps, user.id);
  return user;
}

export async function enableUser(deps: Deps, userId: string): Promise<User> {
  await getUserOrThrow(deps, userId);
  return deps.db.user.update({ where: { id: userId }, data: { disabledAt: null } });
}

const ChangePasswordInput = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: password });

/** The viewer changes their own password; every other session of theirs ends. */
export async function changePassword(deps: Deps, viewer: Viewer, input: unknown): Promise<User> {
  const parsed = parseInput(ChangePasswordInput, input);
  const user = await getUserOrThrow(deps, viewer.userId);
  await deps.loginGuard.check(user.email, undefined);
  if (!(await deps.passwordHashing.run(() => verifyPassword(parsed.currentPassword, user.passwordHash)))) {
    await deps.loginGuard.recordFailure(user.email, undefined);
    throw new InvalidCredentialsError("The current password is wrong");
  }
  const passwordHash = await deps.passwordHashing.run(() => hashPassword(parsed.newPassword));
  const updated = await deps.db.user.update({ where: { id: user.id }, data: { passwordHash } });
  await endSessionsOf(deps, user.id, viewer.tokenKind === "SESSION" ? viewer.tokenId : undefined);
  return updated;
}

export async function getUserOrThrow(deps: Deps, userId: string): Promise<User> {
  const user = await deps.db.user.findUnique({ where: { id: userId } });
  if (!user) throw new NotFoundError("User");
  return user;
}

/**
 * Applies a change to a user unless it would leave no active admin. Writers take turns on one
 * guard row first (a row lock on PostgreSQL; SQLite has one writer), so two admins demoting each
 * other at once cannot both succeed.
 */
async function changeKeepingAnAdmin(deps: Deps, userId: string, data: { role?: UserRole; disabledAt?: Date }): Promise<User> {
  return deps.db.$transaction(async (tx) => {
    await tx.setting.upsert({ where: { key: ADMIN_GUARD }, create: { key: ADMIN_GUARD, value: 0 }, update: { value: 0 } });
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user) throw new NotFoundError("User");
    const updated = await tx.user.update({ where: { id: userId }, data });
    const activeAdmins: Prisma.UserWhereInput = { role: "ADMIN", disabledAt: null };
    if ((await tx.user.count({ where: activeAdmins })) === 0) {
      throw new ConflictError("At least one active admin must remain: make someone else an admin first");
    }
    return updated;
  });
}

const ADMIN_GUARD = "guard:active-admins";

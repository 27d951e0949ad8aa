// An open subscription is checked again, at every event and on a tick while none arrive: a token
// revoked, a user disabled or a role lowered ends it within a tick. It ends with an error on that
// subscription alone; the socket and its other subscriptions are untouched.
import { GraphQLError } from "graphql";
import { stillAuthenticated } from "../domain/auth/authenticate.js";
import type { Scope } from "../domain/auth/scopes.js";
import type { GraphQLContext } from "./context.js";

export const ACCESS_RECHECK_MS = 2_000;

/** Yielded in place of an event when access ended; the field's resolver turns it into the error. */
export class AccessEnded {
  constructor(readonly error: GraphQLError) {}
}

/** Re-reads the viewer's token; null while it still grants `scope`, else the error to end with. */
async function accessProblem(ctx: GraphQLContext, scope: Scope): Promise<GraphQLError | null> {
  if (!ctx.viewer) return new GraphQLError("Sign in first", { extensions: { code: "UNAUTHENTICATED" } });
  const now = await stillAuthenticated(ctx.deps, ctx.viewer);
  if (!now) return new GraphQLError("The token was revoked or expired, or its user disabled", { extensions: { code: "UNAUTHENTICATED" } });
  if (!now.scopes.has(scope)) return new GraphQLError(`Not allowed: this needs the scope "${scope}"`, { extensions: { code: "FORBIDDEN" } });
  return null;
}

export async function* whileAllowed<T>(ctx: GraphQLContext, scope: Scope, source: AsyncIterable<T>, recheckMs = ACCESS_RECHECK_MS): AsyncGenerator<T | AccessEnded> {
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | null = null;
  try {
    while (true) {
      pending ??= iterator.next();
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<"tick">((resolve) => {
        timer = setTimeout(resolve, recheckMs, "tick");
      });
      const outcome = await Promise.race([pending, tick]).finally(() => clearTimeout(timer));
      const problem = await accessProblem(ctx, scope);
      if (problem) {
        yield new AccessEnded(problem);
        return;
      }
      if (outcome === "tick") continue;
      pending = null;
      if (outcome.done) return;
      yield outcome.value;
    }
  } finally {
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

/** The subscription field's resolve: an event passes through, the end of access becomes its error. */
export function resolveAllowed<T>(value: T | AccessEnded): T {
  if (value instanceof AccessEnded) throw value.error;
  return value;
}

"use client";

import { useMemo, useState } from "react";
import { useQuery } from "urql";
import { RevokeSessionDocument, SessionsDocument, ViewerDocument, type SessionFieldsFragment } from "@slipway/sdk";
import { ConfirmAction } from "../ConfirmAction";
import { FormError } from "../FormError";
import { Loaded } from "../Loaded";
import { RelativeTime } from "../RelativeTime";
import { useAction } from "../useAction";

/** Open sessions: yours, or (admins) everyone's; any can be ended. */
export function SessionsPanel() {
  const viewer = useQuery({ query: ViewerDocument });
  const isAdmin = viewer[0].data?.viewer?.role === "ADMIN";
  const [everyone, setEveryone] = useState(false);
  const context = useMemo(() => ({ additionalTypenames: ["Session"] }), []);
  const sessions = useQuery({ query: SessionsDocument, variables: { everyone: isAdmin && everyone }, context });
  return (
    <section className="panel" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="panel__title">
        {everyone ? "Everyone's sessions" : "Your sessions"}
      </h2>
      <p className="panel__description">
        Signed-in browsers and <code>slipway login</code>s. Ending one signs it out at its next request.
      </p>
      {isAdmin ? (
        <label className="toggle">
          <input type="checkbox" checked={everyone} onChange={(event) => setEveryone(event.currentTarget.checked)} /> Show every user&apos;s sessions
        </label>
      ) : null}
      <Loaded query={sessions} what="sessions">
        {(data) => (
          <ul className="rows" aria-label="Sessions">
            {data.sessions.map((session) => (
              <SessionRow key={session.id} session={session} showUser={everyone} />
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function SessionRow({ session, showUser }: { session: SessionFieldsFragment; showUser: boolean }) {
  const revoke = useAction(RevokeSessionDocument, (data) => data.revokeSession);
  return (
    <li className="row">
      <div className="row__main">
        <p className="row__title">
          {describeAgent(session.userAgent)} {session.current ? <span className="badge">This session</span> : null}
        </p>
        <p className="row__meta">
          {showUser ? `${session.user.email} · ` : null}
          <code className="token-prefix">{session.prefix}…</code> · signed in <RelativeTime iso={session.createdAt} />
          {" · "}
          {session.lastUsedAt ? (
            <>
              last used <RelativeTime iso={session.lastUsedAt} />
            </>
          ) : (
            "not used since"
          )}
          {session.expiresAt ? (
            <>
              {" · "}expires <RelativeTime iso={session.expiresAt} />
            </>
          ) : null}
        </p>
        <FormError message={revoke.message} />
      </div>
      <div className="row__actions">
        <ConfirmAction
          label={session.current ? "Sign out" : "End session"}
          confirmLabel={session.current ? "Sign out here" : "End it"}
          question={session.current ? "End this session? You will have to sign in again." : "End this session? It is signed out at its next request."}
          busy={revoke.fetching}
          onConfirm={() => void revoke.run({ id: session.id })}
        />
      </div>
    </li>
  );
}

/** A short name for a user agent: the browser or client, not the whole string. */
export function describeAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return "Unknown client";
  const known: [RegExp, string][] = [
    [/Edg\//, "Edge"],
    [/Firefox\//, "Firefox"],
    [/Chrome\//, "Chrome"],
    [/Safari\//, "Safari"],
    [/^slipway\//i, "slipway CLI"],
    [/^node|undici/i, "Node.js client"],
  ];
  const name = known.find(([pattern]) => pattern.test(userAgent))?.[1];
  const systems: [RegExp, string][] = [[/android/i, "Android"], [/iphone|ipad/i, "iOS"], [/windows/i, "Windows"], [/mac os x|macos|darwin/i, "macOS"], [/linux/i, "Linux"]];
  const os = systems.find(([pattern]) => pattern.test(userAgent))?.[1];
  return name ? `${name}${os ? ` on ${os}` : ""}` : userAgent.slice(0, 60);
}

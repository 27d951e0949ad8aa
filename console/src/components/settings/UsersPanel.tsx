"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { UsersDocument, ViewerDocument } from "@slipway/sdk";
import { Loaded } from "../Loaded";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { CreateUserForm } from "./CreateUserForm";
import { UserRow } from "./UserRow";

/** Admins manage every account here; everyone changes their own password. */
export function UsersPanel() {
  const viewer = useQuery({ query: ViewerDocument });
  const isAdmin = viewer[0].data?.viewer?.role === "ADMIN";
  return (
    <div className="stack">
      {isAdmin ? <AdminUsers viewerId={viewer[0].data!.viewer!.id} /> : null}
      <section className="panel" aria-labelledby="password-heading">
        <h2 id="password-heading" className="panel__title">
          Your password
        </h2>
        <p className="panel__description">Changing it signs you out everywhere else.</p>
        <Loaded query={viewer} what="your account">
          {(data) => (data.viewer ? <ChangePasswordForm email={data.viewer.email} /> : null)}
        </Loaded>
      </section>
    </div>
  );
}

function AdminUsers({ viewerId }: { viewerId: string }) {
  const context = useMemo(() => ({ additionalTypenames: ["User"] }), []);
  const users = useQuery({ query: UsersDocument, context });
  return (
    <>
      <section className="panel" aria-labelledby="users-heading">
        <h2 id="users-heading" className="panel__title">
          People
        </h2>
        <p className="panel__description">
          Admins manage everything; members work on projects and deploy; viewers only read. A change applies at once, to open
          sessions and API tokens too. There is always at least one active admin.
        </p>
        <Loaded query={users} what="users">
          {(data) => (
            <ul className="rows" aria-label="Users">
              {data.users.map((user) => (
                <UserRow key={user.id} user={user} isViewer={user.id === viewerId} />
              ))}
            </ul>
          )}
        </Loaded>
      </section>
      <section className="panel" aria-labelledby="new-user-heading">
        <h2 id="new-user-heading" className="panel__title">
          Add someone
        </h2>
        <p className="panel__description">Give them the password by a safe channel; they can change it here once signed in.</p>
        <CreateUserForm />
      </section>
    </>
  );
}

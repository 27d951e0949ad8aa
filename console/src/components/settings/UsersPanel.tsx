"use client";

import { useQuery } from "urql";
import { ViewerDocument } from "@slipway/sdk";
import { Loaded } from "../Loaded";
import { RelativeTime } from "../RelativeTime";

/**
 * The API has no user management yet (no query lists users, no mutation invites or removes one),
 * so this page says so and shows only the signed-in account, rather than inventing a list.
 */
export function UsersPanel() {
  const viewer = useQuery({ query: ViewerDocument });
  return (
    <div className="stack">
      <div className="notice notice--info">
        <p className="notice__title">User management is not in the API yet</p>
        <p>
          This Slipway&apos;s API can&apos;t list, invite or remove users, so the console can&apos;t either. The first
          administrator is created at setup; anyone else needs an account made on the server.
        </p>
      </div>
      <section className="panel" aria-labelledby="you-heading">
        <h2 id="you-heading" className="panel__title">
          You
        </h2>
        <Loaded query={viewer} what="your account">
          {(data) =>
            data.viewer ? (
              <ul className="rows" aria-label="Users">
                <li className="row">
                  <div className="row__main">
                    <p className="row__title">
                      {data.viewer.name} {data.viewer.role === "ADMIN" ? <span className="badge">Admin</span> : null}
                    </p>
                    <p className="row__meta">
                      {data.viewer.email} · since <RelativeTime iso={data.viewer.createdAt} />
                    </p>
                  </div>
                </li>
              </ul>
            ) : null
          }
        </Loaded>
      </section>
    </div>
  );
}

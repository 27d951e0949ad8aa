"use client";

import Link from "next/link";
import { useQuery } from "urql";
import { SetupStatusDocument } from "@slipway/sdk";

/** Points a fresh install at first-admin setup; says nothing once an admin exists. */
export function SetupNotice() {
  const [{ data }] = useQuery({ query: SetupStatusDocument });
  if (!data?.setupStatus.needsSetup) return null;
  return (
    <div className="notice notice--info">
      <p className="notice__title">No administrator yet</p>
      <p>
        This Slipway has no users. <Link href="/setup">Create the first administrator</Link> with the
        setup token from the server log.
      </p>
    </div>
  );
}

"use client";

import { useState } from "react";
import type { ViewerQuery } from "@slipway/sdk";
import { useSignOut } from "../auth/useSession";

type Viewer = NonNullable<ViewerQuery["viewer"]>;

export function UserMenu({ viewer }: { viewer: Viewer }) {
  const signOut = useSignOut();
  const [leaving, setLeaving] = useState(false);
  return (
    <div className="user-menu">
      <span className="user-menu__who">
        <span className="user-menu__name">{viewer.name}</span>
        <span className="user-menu__email">{viewer.email}</span>
      </span>
      {viewer.role === "ADMIN" ? <span className="badge">Admin</span> : null}
      <button
        type="button"
        className="button button--secondary button--small"
        disabled={leaving}
        onClick={() => {
          setLeaving(true);
          void signOut();
        }}
      >
        {leaving ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}

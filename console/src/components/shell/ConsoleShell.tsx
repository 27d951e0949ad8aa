"use client";

import { useEffect, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "urql";
import { ViewerDocument } from "@slipway/sdk";
import { describeRequestError, isUnauthenticated } from "@/lib/errors";
import { clearToken } from "@/lib/session-token";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { useSessionToken } from "../useSessionToken";
import { AppHeader } from "./AppHeader";

function useSignInRedirect(needed: boolean) {
  const router = useRouter();
  useEffect(() => {
    if (!needed) return;
    router.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  }, [needed, router]);
}

/** Everything behind sign-in: checks the session, then draws the header around the page. */
export function ConsoleShell({ children }: { children: ReactNode }) {
  const token = useSessionToken();
  useSignInRedirect(token === null);
  if (!token) return <LoadingState label="Checking your session" />;
  return <SignedIn>{children}</SignedIn>;
}

function SignedIn({ children }: { children: ReactNode }) {
  const [{ data, error }, refetch] = useQuery({ query: ViewerDocument });
  const viewerMissing = data !== undefined && data.viewer === null;

  useEffect(() => {
    // A token the server no longer knows (expired, revoked): drop it; the redirect follows.
    if (viewerMissing) clearToken();
  }, [viewerMissing]);

  if (error && !data && !isUnauthenticated(error)) {
    return (
      <main className="centered">
        <ErrorState
          title="Couldn't reach Slipway"
          message={describeRequestError(error)}
          onRetry={() => refetch({ requestPolicy: "network-only" })}
        />
      </main>
    );
  }
  if (!data?.viewer) return <LoadingState label="Checking your session" />;

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <AppHeader viewer={data.viewer} />
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

"use client";

import { useEffect, useMemo, useRef, type ReactNode } from "react";
import { useRouter } from "next/navigation";
import {
  Client,
  Provider,
  cacheExchange,
  fetchExchange,
  mapExchange,
  subscriptionExchange,
} from "urql";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { resolveApiUrl, toWebSocketUrl } from "@/lib/api-url";
import { isUnauthenticated } from "@/lib/errors";
import { clearToken, readToken } from "@/lib/session-token";
import { useSessionToken } from "./useSessionToken";
import { LoadingState } from "./LoadingState";

function authHeaders(): Record<string, string> {
  const token = readToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

function buildClients(onUnauthenticated: () => void): { client: Client; ws: WsClient } {
  const url = resolveApiUrl();
  const ws = createWsClient({
    url: toWebSocketUrl(url),
    lazy: true,
    connectionParams: authHeaders,
  });
  const client = new Client({
    url,
    requestPolicy: "cache-and-network",
    // The API contract is POST; it also keeps documents out of proxy logs.
    preferGetMethod: false,
    fetchOptions: () => ({ headers: authHeaders() }),
    exchanges: [
      cacheExchange,
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, ws };
}

/**
 * Gives the app a urql client once the browser is known (the API URL and the token only exist
 * there); a new sign-in gets a new client, so no cached data crosses sessions.
 */
export function ApiProvider({ children }: { children: ReactNode }) {
  const router = useRouter();
  const token = useSessionToken();
  const routerRef = useRef(router);
  routerRef.current = router;

  const clients = useMemo(() => {
    if (token === undefined) return null;
    return buildClients(() => {
      clearToken();
      const next = encodeURIComponent(location.pathname + location.search);
      routerRef.current.replace(`/login?next=${next}`);
    });
    // A changed token means a different session: start from an empty cache.
  }, [token]);

  useEffect(() => () => void clients?.ws.dispose(), [clients]);

  if (!clients) return <LoadingState label="Loading Slipway" />;
  return <Provider value={clients.client}>{children}</Provider>;
}

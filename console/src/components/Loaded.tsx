"use client";

import type { ReactNode } from "react";
import type { AnyVariables, CombinedError, OperationContext, UseQueryState } from "urql";
import { describeRequestError } from "@/lib/errors";
import { ErrorState } from "./ErrorState";
import { LoadingState } from "./LoadingState";

/**
 * The loading and error states every query-backed view shares: a spinner until data arrives, an
 * error with "Try again" when there is none, and the children once there is.
 */
export function Loaded<T, V extends AnyVariables>({
  query: [state, refetch],
  what,
  children,
}: {
  query: [UseQueryState<T, V>, (opts?: Partial<OperationContext>) => void];
  what: string;
  children: (data: T) => ReactNode;
}) {
  const { data, error } = state as { data?: T; error?: CombinedError };
  if (error && !data) {
    return (
      <ErrorState
        title={`Couldn't load ${what}`}
        message={describeRequestError(error)}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!data) return <LoadingState label={`Loading ${what}`} />;
  return <>{children(data)}</>;
}

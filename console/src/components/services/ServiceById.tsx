"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { useQuery } from "urql";
import { ConsoleServiceOverviewDocument } from "@slipway/sdk";
import { servicePath } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { LoadingState } from "../LoadingState";

/** Finds the service a global id names and goes on to its readable address. */
export function ServiceById({ id }: { id: string }) {
  const router = useRouter();
  const [{ data, error }] = useQuery({ query: ConsoleServiceOverviewDocument, variables: { id } });
  const service = data?.node?.__typename === "Service" ? data.node : null;
  useEffect(() => {
    if (service) router.replace(servicePath(service));
  }, [service, router]);
  if ((data && !service) || error) {
    return (
      <EmptyState title="Service not found">
        <p>It may have been deleted, or the link is wrong.</p>
        <Link href="/">Back to projects</Link>
      </EmptyState>
    );
  }
  return <LoadingState label="Opening the service" />;
}

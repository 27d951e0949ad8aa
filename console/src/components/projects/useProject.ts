"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { ProjectByNameDocument } from "@slipway/sdk";

export const SERVICES_SHOWN = 100;

/** A project by the name in its address, with its first services. */
export function useProject(name: string) {
  const context = useMemo(() => ({ additionalTypenames: ["Service", "Project"] }), []);
  return useQuery({ query: ProjectByNameDocument, variables: { name, first: SERVICES_SHOWN }, context });
}

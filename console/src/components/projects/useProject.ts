"use client";

import { useMemo } from "react";
import { useQuery } from "urql";
import { ProjectDocument } from "@slipway/sdk";

export const SERVICES_SHOWN = 100;

export function useProject(id: string) {
  const context = useMemo(() => ({ additionalTypenames: ["Service"] }), []);
  return useQuery({ query: ProjectDocument, variables: { id, first: SERVICES_SHOWN }, context });
}

"use client";

import { useCallback, useMemo, useState } from "react";
import { useQuery } from "urql";
import { DeploymentsDocument, type DeploymentStatus } from "@slipway/sdk";
import { CursorPager } from "../CursorPager";
import { Loaded } from "../Loaded";
import { SelectField } from "../SelectField";
import { ServicePicker } from "../ServicePicker";
import { DeploymentTable } from "./DeploymentTable";

export const PAGE_SIZE = 20;

const STATUSES: DeploymentStatus[] = ["QUEUED", "BUILDING", "DEPLOYING", "SUCCEEDED", "FAILED", "CANCELLED"];

/**
 * Deployment history, filtered and paged on the server; cursors of earlier pages are kept for
 * "Previous". Given `fixedServiceId` (a service's own Deployments tab) it shows only that service's.
 */
export function DeploymentsPage({ fixedServiceId }: { fixedServiceId?: string } = {}) {
  const [pickedServiceId, setServiceId] = useState("");
  const serviceId = fixedServiceId ?? pickedServiceId;
  const [status, setStatus] = useState<DeploymentStatus | "">("");
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const context = useMemo(() => ({ additionalTypenames: ["Deployment"] }), []);
  const deployments = useQuery({
    query: DeploymentsDocument,
    variables: { first: PAGE_SIZE, after, serviceId: serviceId || null, status: status || null },
    context,
  });

  const pickService = useCallback((id: string) => {
    setServiceId(id);
    setCursors([null]);
  }, []);

  return (
    <div className="stack">
      <div className="filters" role="group" aria-label="Filters">
        {fixedServiceId ? null : <ServicePicker serviceId={serviceId} onChange={pickService} anyLabel="All services" />}
        <SelectField
          label="Status"
          value={status}
          onChange={(event) => {
            setStatus(event.currentTarget.value as DeploymentStatus | "");
            setCursors([null]);
          }}
          options={[{ value: "", label: "Any status" }, ...STATUSES.map((s) => ({ value: s, label: s.charAt(0) + s.slice(1).toLowerCase() }))]}
        />
      </div>
      <Loaded query={deployments} what="deployments">
        {(data) => {
          const { edges, totalCount, pageInfo } = data.deployments;
          return (
            <>
              <DeploymentTable deployments={edges.map((edge) => edge.node)} filtered={Boolean((serviceId && !fixedServiceId) || status)} />
              <CursorPager
                cursors={cursors}
                setCursors={setCursors}
                totalCount={totalCount}
                pageSize={PAGE_SIZE}
                pageInfo={pageInfo}
                noun={["deployment", "deployments"]}
                busy={deployments[0].fetching}
              />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}

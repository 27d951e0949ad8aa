"use client";

import { useEffect, useState } from "react";
import { useQuery } from "urql";
import { ConsoleProjectChoicesDocument, ConsoleProjectServicesDocument } from "@slipway/sdk";
import { describeRequestError } from "@/lib/errors";
import { SelectField } from "./SelectField";

/**
 * A project select, then a select of its services. With `anyLabel` "none" is a choice (a filter);
 * without it the first service is picked as soon as the list arrives.
 */
export function ServicePicker({
  projectId: initialProject = "",
  serviceId,
  onChange,
  anyLabel,
  error,
}: {
  projectId?: string;
  serviceId: string;
  onChange: (serviceId: string) => void;
  anyLabel?: string;
  error?: string | null;
}) {
  const [projects] = useQuery({ query: ConsoleProjectChoicesDocument });
  const projectList = projects.data?.projects.edges.map((edge) => edge.node) ?? [];
  const [picked, setPicked] = useState(initialProject);
  const projectId = picked || (anyLabel ? "" : (projectList[0]?.id ?? ""));
  const [services] = useQuery({
    query: ConsoleProjectServicesDocument,
    variables: { id: projectId },
    pause: !projectId,
  });
  const serviceList = projectId ? (services.data?.project?.services.edges.map((edge) => edge.node) ?? []) : [];

  useEffect(() => {
    if (anyLabel || services.fetching || !services.data) return;
    if (!serviceList.some((s) => s.id === serviceId)) onChange(serviceList[0]?.id ?? "");
  }, [anyLabel, services.fetching, services.data, serviceList, serviceId, onChange]);

  const problem = projects.error ?? services.error;
  return (
    <>
      <SelectField
        label="Project"
        value={projectId}
        onChange={(event) => {
          setPicked(event.currentTarget.value);
          if (anyLabel) onChange("");
        }}
        options={[
          ...(anyLabel ? [{ value: "", label: "All projects" }] : []),
          ...projectList.map((p) => ({ value: p.id, label: p.name })),
        ]}
        error={problem ? describeRequestError(problem) : null}
      />
      <SelectField
        label="Service"
        name="serviceId"
        value={serviceId}
        disabled={!projectId}
        onChange={(event) => onChange(event.currentTarget.value)}
        options={[
          ...(anyLabel ? [{ value: "", label: anyLabel }] : []),
          ...(serviceList.length === 0 && !anyLabel ? [{ value: "", label: "No services in this project" }] : []),
          ...serviceList.map((s) => ({ value: s.id, label: s.name })),
        ]}
        error={error}
      />
    </>
  );
}

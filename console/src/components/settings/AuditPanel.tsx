"use client";

import { useState } from "react";
import { useQuery } from "urql";
import { AuditFiltersDocument, AuditLogDocument } from "@slipway/sdk";
import { CursorPager } from "../CursorPager";
import { Loaded } from "../Loaded";
import { SelectField } from "../SelectField";
import { TextField } from "../TextField";
import { AuditTable } from "./AuditTable";

export const AUDIT_PAGE_SIZE = 50;

const OUTCOMES = [
  { value: "", label: "Any outcome" },
  { value: "ok", label: "Succeeded" },
  { value: "failed", label: "Failed or refused" },
  { value: "FORBIDDEN", label: "Forbidden" },
  { value: "UNAUTHENTICATED", label: "Not signed in" },
  { value: "VALIDATION", label: "Invalid input" },
  { value: "INVALID_CREDENTIALS", label: "Wrong password" },
];

interface Filters {
  actor: string;
  action: string;
  outcome: string;
  since: string;
}

/** Every mutation attempt, newest first, filtered and paged on the server (admins). Nothing here can change an entry. */
export function AuditPanel() {
  const [filters, setFilters] = useState<Filters>({ actor: "", action: "", outcome: "", since: "" });
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const options = useQuery({ query: AuditFiltersDocument });
  const log = useQuery({
    query: AuditLogDocument,
    variables: {
      first: AUDIT_PAGE_SIZE,
      after: cursors.at(-1) ?? null,
      actor: filters.actor || null,
      action: filters.action || null,
      outcome: filters.outcome || null,
      since: filters.since ? new Date(`${filters.since}T00:00:00`).toISOString() : null,
    },
    requestPolicy: "cache-and-network",
  });
  const change = (key: keyof Filters) => (event: { currentTarget: { value: string } }) => {
    const value = event.currentTarget.value;
    setFilters((current) => ({ ...current, [key]: value }));
    setCursors([null]);
  };

  return (
    <div className="stack">
      <div className="filters" role="group" aria-label="Filters">
        <SelectField
          label="Who"
          value={filters.actor}
          onChange={change("actor")}
          options={[{ value: "", label: "Anyone" }, ...(options[0].data?.users ?? []).map((u) => ({ value: u.id, label: u.email }))]}
        />
        <SelectField
          label="Action"
          value={filters.action}
          onChange={change("action")}
          options={[{ value: "", label: "Any action" }, ...(options[0].data?.auditActions ?? []).map((a) => ({ value: a, label: a }))]}
        />
        <SelectField label="Outcome" value={filters.outcome} onChange={change("outcome")} options={OUTCOMES} />
        <TextField label="Since" type="date" value={filters.since} onChange={change("since")} />
      </div>
      <Loaded query={log} what="the audit log">
        {(data) => {
          const { edges, totalCount, pageInfo } = data.auditLog;
          return (
            <>
              <AuditTable entries={edges.map((edge) => edge.node)} />
              <CursorPager
                cursors={cursors}
                setCursors={setCursors}
                totalCount={totalCount}
                pageSize={AUDIT_PAGE_SIZE}
                pageInfo={pageInfo}
                noun={["entry", "entries"]}
              />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}

"use client";

import Link from "next/link";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useQuery } from "urql";
import { ConsoleServiceOverviewDocument, type ConsoleServiceOverviewQuery } from "@slipway/sdk";
import { deployPath, serverPath } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { AutoscalePanel } from "../metrics/AutoscalePanel";
import { ServiceMetricsPanel } from "../metrics/ServiceMetricsPanel";
import { Loaded } from "../Loaded";
import { PageHeader } from "../PageHeader";
import { projectPath } from "../projects/paths";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { DomainsEditor } from "./DomainsEditor";
import { EnvEditor, EnvVarList } from "./EnvEditor";

type Service = Extract<NonNullable<ConsoleServiceOverviewQuery["node"]>, { __typename: "Service" }>;

export function ServiceOverview({ id }: { id: string }) {
  const context = useMemo(() => ({ additionalTypenames: ["Service", "Deployment"] }), []);
  const query = useQuery({ query: ConsoleServiceOverviewDocument, variables: { id }, context });
  return (
    <Loaded query={query} what="this service">
      {(data) =>
        data.node?.__typename === "Service" ? (
          <ServiceDetail service={data.node} />
        ) : (
          <EmptyState title="Service not found">
            <p>It may have been deleted, or the link is wrong.</p>
            <Link href="/">Back to projects</Link>
          </EmptyState>
        )
      }
    </Loaded>
  );
}

function ServiceDetail({ service }: { service: Service }) {
  const [editing, setEditing] = useState<"env" | "domains" | null>(null);
  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link href="/">Projects</Link> / <Link href={projectPath(service.project.id)}>{service.project.name}</Link>
          </>
        }
        title={service.name}
        description={
          <>
            Port {service.port} · health check <code>{service.healthCheckPath}</code> · image <code>{service.imageBase}</code>
          </>
        }
        actions={
          <Link className="button button--primary" href={deployPath({ id: service.id, projectId: service.project.id })}>
            Deploy
          </Link>
        }
      />
      <div className="stack">
        <section className="panel" aria-labelledby="servers-heading">
          <h2 id="servers-heading" className="panel__title">
            Servers
          </h2>
          {service.servers.length === 0 ? (
            <p className="muted">Not running anywhere yet. Deploy it to pick its servers.</p>
          ) : (
            <ul className="rows" aria-label="Servers running this service">
              {service.servers.map(({ server, currentDeployment }) => (
                <li key={server.id} className="row">
                  <div className="row__main">
                    <p className="row__title">
                      <Link href={serverPath(server.id)}>{server.name}</Link> <StatusBadge status={server.status} />
                    </p>
                    <p className="row__meta">
                      {server.publicIpv4 ?? "no address"}
                      {server.region ? ` · ${server.region}` : null}
                      {server.statusReason ? ` · ${server.statusReason}` : null}
                    </p>
                    <p className="row__meta">
                      {currentDeployment ? (
                        <>
                          Runs <code>{currentDeployment.imageTag.split(":").at(-1)}</code> (
                          {currentDeployment.sourceRef}) · <StatusBadge status={currentDeployment.status} /> ·{" "}
                          <RelativeTime iso={currentDeployment.finishedAt ?? currentDeployment.createdAt} />
                        </>
                      ) : (
                        "No release running"
                      )}
                    </p>
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>

        <ServiceMetricsPanel serviceId={service.id} />
        <AutoscalePanel serviceId={service.id} />

        <EditableSection
          id="domains"
          title="Domains"
          editLabel="Edit domains"
          editing={editing === "domains"}
          onEdit={() => setEditing("domains")}
          editor={<DomainsEditor serviceId={service.id} domains={service.domains} onDone={() => setEditing(null)} />}
        >
          {service.domainStatuses.length === 0 ? (
            <p className="muted">No domains.</p>
          ) : (
            <ul className="plain-list" aria-label="Domains">
              {service.domainStatuses.map((domain) => (
                <li key={domain.hostname}>
                  <code>{domain.hostname}</code> <DomainState domain={domain} />
                </li>
              ))}
            </ul>
          )}
        </EditableSection>

        <EditableSection
          id="env"
          title="Environment variables"
          description="Secret values are stored encrypted and never shown again. Changes apply with the next deployment."
          editLabel="Edit variables"
          editing={editing === "env"}
          onEdit={() => setEditing("env")}
          editor={<EnvEditor serviceId={service.id} vars={service.envVars} onDone={() => setEditing(null)} />}
        >
          <EnvVarList vars={service.envVars} />
        </EditableSection>
      </div>
    </>
  );
}

function DomainState({ domain }: { domain: Service["domainStatuses"][number] }) {
  const words = [
    domain.live ? "live" : "not live yet",
    !domain.configured ? "removed at the next deploy" : null,
    domain.dnsRecordsSynced === false ? "DNS out of step" : domain.dnsRecordsSynced ? "DNS in step" : null,
    domain.certificate ? "HTTPS certificate" : null,
  ].filter(Boolean);
  return <span className="muted">· {words.join(" · ")}</span>;
}

/** A panel that shows a setting, or its editor once "Edit" is pressed. */
function EditableSection({
  id,
  title,
  description,
  editLabel,
  editing,
  onEdit,
  editor,
  children,
}: {
  id: string;
  title: string;
  description?: string;
  editLabel: string;
  editing: boolean;
  onEdit: () => void;
  editor: ReactNode;
  children: ReactNode;
}) {
  const sectionRef = useRef<HTMLElement>(null);
  const wasEditing = useRef(false);
  // Into the editor when it opens, back to its button when it closes.
  useEffect(() => {
    if (editing) sectionRef.current?.querySelector<HTMLElement>("input, textarea")?.focus();
    else if (wasEditing.current) sectionRef.current?.querySelector<HTMLElement>(".panel__head button")?.focus();
    wasEditing.current = editing;
  }, [editing]);
  return (
    <section ref={sectionRef} className="panel" aria-labelledby={`${id}-heading`}>
      <div className="panel__head">
        <h2 id={`${id}-heading`} className="panel__title">
          {title}
        </h2>
        {editing ? null : (
          <button type="button" className="button button--secondary button--small" onClick={onEdit}>
            {editLabel}
          </button>
        )}
      </div>
      {description ? <p className="panel__description">{description}</p> : null}
      {editing ? editor : children}
    </section>
  );
}

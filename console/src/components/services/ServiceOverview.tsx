"use client";

import Link from "next/link";
import { useEffect, useRef, useState, type ReactNode } from "react";
import { serverPath } from "@/lib/paths";
import { AutoscalePanel } from "../metrics/AutoscalePanel";
import { ServiceMetricsPanel } from "../metrics/ServiceMetricsPanel";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { DomainsEditor } from "./DomainsEditor";
import { EnvEditor, EnvVarList } from "./EnvEditor";

import { ServiceShell, type Service, type ServiceAddress } from "./ServiceShell";

/** The service page's first tab: where it runs, its domains and its env vars. */
export function ServiceOverview({ service }: { service: ServiceAddress }) {
  return <ServiceShell service={service} tab="overview">{(service) => <ServiceDetail service={service} />}</ServiceShell>;
}

function ServiceDetail({ service }: { service: Service }) {
  const [editing, setEditing] = useState<"env" | "domains" | null>(null);
  return (
    <>
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

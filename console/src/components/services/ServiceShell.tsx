"use client";

import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { useQuery } from "urql";
import { ConsoleServiceByNameDocument, type ConsoleServiceFieldsFragment } from "@slipway/sdk";
import { deployPath, projectPath, servicePath, type ServiceRef } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { Loaded } from "../Loaded";
import { PageHeader } from "../PageHeader";

export type Service = ConsoleServiceFieldsFragment;

/** A service as its address names it: /projects/<project>/services/<name>. */
export interface ServiceAddress {
  project: string;
  name: string;
}

/** The service page's tabs, in order; each is a route under /services/<id>. */
export const SERVICE_TABS = [
  { id: "overview", label: "Overview", path: "" },
  { id: "deployments", label: "Deployments", path: "/deployments" },
  { id: "logs", label: "Logs", path: "/logs" },
  { id: "settings", label: "Settings", path: "/settings" },
] as const;

export type ServiceTab = (typeof SERVICE_TABS)[number]["id"];

export const serviceTabPath = (service: ServiceRef, tab: ServiceTab) => `${servicePath(service)}${SERVICE_TABS.find((t) => t.id === tab)!.path}`;

/** Loads the service once and draws its header and tabs around the tab's content. */
export function ServiceShell({ service: address, tab, children }: { service: ServiceAddress; tab: ServiceTab; children: (service: Service) => ReactNode }) {
  const context = useMemo(() => ({ additionalTypenames: ["Service", "Deployment"] }), []);
  const query = useQuery({ query: ConsoleServiceByNameDocument, variables: { project: address.project, name: address.name }, context });
  return (
    <Loaded query={query} what="this service">
      {(data) =>
        data.serviceByName ? (
          <>
            <ServiceHeader service={data.serviceByName} />
            <nav className="subtabs" aria-label="Service">
              <ul className="subtabs__list">
                {SERVICE_TABS.map((t) => (
                  <li key={t.id}>
                    <Link
                      className={t.id === tab ? "subtabs__link subtabs__link--active" : "subtabs__link"}
                      aria-current={t.id === tab ? "page" : undefined}
                      href={serviceTabPath(data.serviceByName!, t.id)}
                    >
                      {t.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            {children(data.serviceByName)}
          </>
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

function ServiceHeader({ service }: { service: Service }) {
  return (
    <PageHeader
      breadcrumb={
        <>
          <Link href="/">Projects</Link> / <Link href={projectPath(service.project)}>{service.project.name}</Link>
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
  );
}

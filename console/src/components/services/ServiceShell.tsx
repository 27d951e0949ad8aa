"use client";

import Link from "next/link";
import { useMemo, type ReactNode } from "react";
import { useQuery } from "urql";
import { ConsoleServiceOverviewDocument, type ConsoleServiceOverviewQuery } from "@slipway/sdk";
import { deployPath, servicePath } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { Loaded } from "../Loaded";
import { PageHeader } from "../PageHeader";
import { projectPath } from "../projects/paths";

export type Service = Extract<NonNullable<ConsoleServiceOverviewQuery["node"]>, { __typename: "Service" }>;

/** The service page's tabs, in order; each is a route under /services/<id>. */
export const SERVICE_TABS = [
  { id: "overview", label: "Overview", path: "" },
  { id: "deployments", label: "Deployments", path: "/deployments" },
  { id: "logs", label: "Logs", path: "/logs" },
  { id: "settings", label: "Settings", path: "/settings" },
] as const;

export type ServiceTab = (typeof SERVICE_TABS)[number]["id"];

export const serviceTabPath = (id: string, tab: ServiceTab) => `${servicePath(id)}${SERVICE_TABS.find((t) => t.id === tab)!.path}`;

/** Loads the service once and draws its header and tabs around the tab's content. */
export function ServiceShell({ id, tab, children }: { id: string; tab: ServiceTab; children: (service: Service) => ReactNode }) {
  const context = useMemo(() => ({ additionalTypenames: ["Service", "Deployment"] }), []);
  const query = useQuery({ query: ConsoleServiceOverviewDocument, variables: { id }, context });
  return (
    <Loaded query={query} what="this service">
      {(data) =>
        data.node?.__typename === "Service" ? (
          <>
            <ServiceHeader service={data.node} />
            <nav className="subtabs" aria-label="Service">
              <ul className="subtabs__list">
                {SERVICE_TABS.map((t) => (
                  <li key={t.id}>
                    <Link
                      className={t.id === tab ? "subtabs__link subtabs__link--active" : "subtabs__link"}
                      aria-current={t.id === tab ? "page" : undefined}
                      href={serviceTabPath(id, t.id)}
                    >
                      {t.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            {children(data.node)}
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
  );
}

"use client";

import Link from "next/link";
import { describeRequestError } from "@/lib/errors";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { PageHeader } from "../PageHeader";
import { RelativeTime } from "../RelativeTime";
import { ServiceList } from "../services/ServiceList";
import { newServicePath } from "@/lib/paths";
import { ProjectNotFound } from "./ProjectNotFound";
import { ProjectSettings } from "./ProjectSettings";
import { SERVICES_SHOWN, useProject } from "./useProject";

export function ProjectDetail({ name }: { name: string }) {
  const [{ data, error }, refetch] = useProject(name);

  if (error && !data) {
    return (
      <ErrorState
        title="Couldn't load this project"
        message={describeRequestError(error)}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!data) return <LoadingState label="Loading project" />;
  if (!data.projectByName) return <ProjectNotFound />;

  const project = data.projectByName;
  const services = project.services.edges.map((edge) => edge.node);
  return (
    <>
      <PageHeader
        breadcrumb={<Link href="/">Projects</Link>}
        title={project.name}
        description={
          <>
            {project.description ? <>{project.description} · </> : null}
            Created <RelativeTime iso={project.createdAt} />
          </>
        }
        actions={
          <Link className="button button--primary" href={newServicePath(project)}>
            Add service
          </Link>
        }
      />
      <div className="stack">
      <section aria-labelledby="services-heading">
        <h2 id="services-heading" className="section-title">
          Services
        </h2>
        <ServiceList project={project} services={services} addHref={newServicePath(project)} />
        {project.services.pageInfo.hasNextPage ? (
          <p className="muted">Showing the first {SERVICES_SHOWN} services.</p>
        ) : null}
      </section>
      <ProjectSettings project={project} />
      </div>
    </>
  );
}

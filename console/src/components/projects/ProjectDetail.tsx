"use client";

import Link from "next/link";
import { describeRequestError } from "@/lib/errors";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { PageHeader } from "../PageHeader";
import { RelativeTime } from "../RelativeTime";
import { ServiceList } from "../services/ServiceList";
import { newServicePath } from "./paths";
import { ProjectNotFound } from "./ProjectNotFound";
import { ProjectSettings } from "./ProjectSettings";
import { SERVICES_SHOWN, useProject } from "./useProject";

export function ProjectDetail({ id }: { id: string }) {
  const [{ data, error }, refetch] = useProject(id);

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
  if (!data.project) return <ProjectNotFound />;

  const { project } = data;
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
          <Link className="button button--primary" href={newServicePath(project.id)}>
            Add service
          </Link>
        }
      />
      <div className="stack">
      <section aria-labelledby="services-heading">
        <h2 id="services-heading" className="section-title">
          Services
        </h2>
        <ServiceList services={services} addHref={newServicePath(project.id)} />
        {project.services.pageInfo.hasNextPage ? (
          <p className="muted">Showing the first {SERVICES_SHOWN} services.</p>
        ) : null}
      </section>
      <ProjectSettings project={project} />
      </div>
    </>
  );
}

"use client";

import Link from "next/link";
import { describeRequestError } from "@/lib/errors";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { PageHeader } from "../PageHeader";
import { projectPath } from "@/lib/paths";
import { ProjectNotFound } from "../projects/ProjectNotFound";
import { useProject } from "../projects/useProject";
import { CreateServiceForm } from "./CreateServiceForm";

export function NewServicePanel({ projectName }: { projectName: string }) {
  const [{ data, error }, refetch] = useProject(projectName);
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
  const project = data.projectByName;
  if (!project) return <ProjectNotFound />;
  return (
    <>
      <PageHeader
        breadcrumb={
          <>
            <Link href="/">Projects</Link> / <Link href={projectPath(project)}>{project.name}</Link>
          </>
        }
        title="Add a service"
        description="One app: its port and health check now; then deploy it from a folder, a git repository or an image, and give it environment variables and domains on its page."
      />
      <CreateServiceForm projectId={project.id} />
    </>
  );
}

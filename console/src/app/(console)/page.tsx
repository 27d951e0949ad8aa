import type { Metadata } from "next";
import Link from "next/link";
import { GettingStarted } from "@/components/getting-started/GettingStarted";
import { PageHeader } from "@/components/PageHeader";
import { ProjectList } from "@/components/projects/ProjectList";

export const metadata: Metadata = { title: "Projects" };

export default function ProjectsPage() {
  return (
    <>
      <PageHeader
        title="Projects"
        actions={
          <Link className="button button--primary" href="/projects/new">
            New project
          </Link>
        }
      />
      <div className="stack">
        <GettingStarted />
        <ProjectList />
      </div>
    </>
  );
}

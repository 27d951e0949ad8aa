import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { CreateProjectForm } from "@/components/projects/CreateProjectForm";

export const metadata: Metadata = { title: "New project" };

export default function NewProjectPage() {
  return (
    <>
      <PageHeader
        breadcrumb={<Link href="/">Projects</Link>}
        title="New project"
        description="A project groups related services, such as an app's web and worker processes."
      />
      <CreateProjectForm />
    </>
  );
}

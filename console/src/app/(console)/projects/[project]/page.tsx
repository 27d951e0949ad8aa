import type { Metadata } from "next";
import { ProjectDetail } from "@/components/projects/ProjectDetail";

export const metadata: Metadata = { title: "Project" };

export default async function ProjectPage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  return <ProjectDetail name={decodeURIComponent(project)} />;
}

import type { Metadata } from "next";
import { NewServicePanel } from "@/components/services/NewServicePanel";

export const metadata: Metadata = { title: "Add a service" };

export default async function NewServicePage({ params }: { params: Promise<{ project: string }> }) {
  const { project } = await params;
  return <NewServicePanel projectName={decodeURIComponent(project)} />;
}

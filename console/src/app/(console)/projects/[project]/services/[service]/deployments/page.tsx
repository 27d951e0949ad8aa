import type { Metadata } from "next";
import { ServiceDeploymentsTab } from "@/components/services/ServiceDeploymentsTab";

export const metadata: Metadata = { title: "Service deployments" };

export default async function ServiceDeploymentsPage({ params }: { params: Promise<{ project: string; service: string }> }) {
  const { project, service } = await params;
  return <ServiceDeploymentsTab service={{ project: decodeURIComponent(project), name: decodeURIComponent(service) }} />;
}

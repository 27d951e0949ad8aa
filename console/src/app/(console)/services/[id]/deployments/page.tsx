import type { Metadata } from "next";
import { ServiceDeploymentsTab } from "@/components/services/ServiceDeploymentsTab";

export const metadata: Metadata = { title: "Service deployments" };

export default async function ServiceDeploymentsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServiceDeploymentsTab id={decodeURIComponent(id)} />;
}

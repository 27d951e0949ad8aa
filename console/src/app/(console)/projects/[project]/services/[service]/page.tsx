import type { Metadata } from "next";
import { ServiceOverview } from "@/components/services/ServiceOverview";

export const metadata: Metadata = { title: "Service" };

export default async function ServicePage({ params }: { params: Promise<{ project: string; service: string }> }) {
  const { project, service } = await params;
  return <ServiceOverview service={{ project: decodeURIComponent(project), name: decodeURIComponent(service) }} />;
}

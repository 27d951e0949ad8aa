import type { Metadata } from "next";
import { ServiceLogsTab } from "@/components/services/ServiceLogsTab";

export const metadata: Metadata = { title: "Service logs" };

export default async function ServiceLogsPage({ params }: { params: Promise<{ project: string; service: string }> }) {
  const { project, service } = await params;
  return <ServiceLogsTab service={{ project: decodeURIComponent(project), name: decodeURIComponent(service) }} />;
}

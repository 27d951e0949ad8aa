import type { Metadata } from "next";
import { ServiceSettingsTab } from "@/components/services/ServiceSettingsTab";

export const metadata: Metadata = { title: "Service settings" };

export default async function ServiceSettingsPage({ params }: { params: Promise<{ project: string; service: string }> }) {
  const { project, service } = await params;
  return <ServiceSettingsTab service={{ project: decodeURIComponent(project), name: decodeURIComponent(service) }} />;
}

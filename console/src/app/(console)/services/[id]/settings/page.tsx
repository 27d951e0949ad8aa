import type { Metadata } from "next";
import { ServiceSettingsTab } from "@/components/services/ServiceSettingsTab";

export const metadata: Metadata = { title: "Service settings" };

export default async function ServiceSettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServiceSettingsTab id={decodeURIComponent(id)} />;
}

import type { Metadata } from "next";
import { ServiceLogsTab } from "@/components/services/ServiceLogsTab";

export const metadata: Metadata = { title: "Service logs" };

export default async function ServiceLogsPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServiceLogsTab id={decodeURIComponent(id)} />;
}

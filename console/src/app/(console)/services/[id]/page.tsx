import type { Metadata } from "next";
import { ServiceOverview } from "@/components/services/ServiceOverview";

export const metadata: Metadata = { title: "Service" };

export default async function ServicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServiceOverview id={decodeURIComponent(id)} />;
}

import type { Metadata } from "next";
import { NewServicePanel } from "@/components/services/NewServicePanel";

export const metadata: Metadata = { title: "Add a service" };

export default async function NewServicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <NewServicePanel projectId={decodeURIComponent(id)} />;
}

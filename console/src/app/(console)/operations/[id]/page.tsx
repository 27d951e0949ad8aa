import type { Metadata } from "next";
import { OperationView } from "@/components/operations/OperationView";

export const metadata: Metadata = { title: "Operation" };

export default async function OperationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <OperationView id={decodeURIComponent(id)} />;
}

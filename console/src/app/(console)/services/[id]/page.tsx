import type { Metadata } from "next";
import { ServiceById } from "@/components/services/ServiceById";

export const metadata: Metadata = { title: "Service" };

/** Addresses by global id (older links, `slipway open`) lead to the service's readable address. */
export default async function ServiceByIdPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServiceById id={decodeURIComponent(id)} />;
}

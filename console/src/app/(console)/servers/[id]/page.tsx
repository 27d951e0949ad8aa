import type { Metadata } from "next";
import { ServerPage } from "@/components/servers/ServerPage";

export const metadata: Metadata = { title: "Server" };

export default async function ServerRoute({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <ServerPage id={decodeURIComponent(id)} />;
}

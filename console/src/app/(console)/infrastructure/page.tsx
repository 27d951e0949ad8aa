import type { Metadata } from "next";
import { InfrastructurePage } from "@/components/infrastructure/InfrastructurePage";
import { PageHeader } from "@/components/PageHeader";

export const metadata: Metadata = { title: "Infrastructure" };

export default function Page() {
  return (
    <>
      <PageHeader title="Infrastructure" description="Your servers, their agents, and adding new ones." />
      <InfrastructurePage />
    </>
  );
}

import type { Metadata } from "next";
import { DeploymentsPage } from "@/components/deployments/DeploymentsPage";
import { PageHeader } from "@/components/PageHeader";

export const metadata: Metadata = { title: "Deployments" };

export default function Page() {
  return (
    <>
      <PageHeader title="Deployments" description="Every release of every service, newest first." />
      <DeploymentsPage />
    </>
  );
}

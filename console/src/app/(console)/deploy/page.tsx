import type { Metadata } from "next";
import { Suspense } from "react";
import { DeployForm } from "@/components/deploy/DeployForm";
import { LoadingState } from "@/components/LoadingState";
import { PageHeader } from "@/components/PageHeader";

export const metadata: Metadata = { title: "Deploy" };

export default function DeployPage() {
  return (
    <>
      <PageHeader
        title="Deploy"
        description="Release a service from an archive, a git ref or an image. The rollout opens live."
      />
      <Suspense fallback={<LoadingState label="Loading" />}>
        <DeployForm />
      </Suspense>
    </>
  );
}

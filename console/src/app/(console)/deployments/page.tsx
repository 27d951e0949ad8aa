import type { Metadata } from "next";
import { ComingSoon } from "@/components/ComingSoon";

export const metadata: Metadata = { title: "Deployments" };

export default function DeploymentsPage() {
  return (
    <ComingSoon title="Deployments">
      <p>
        Here you will see every release of every service: who deployed what and when, how it went,
        and a one-step rollback to any earlier release.
      </p>
    </ComingSoon>
  );
}

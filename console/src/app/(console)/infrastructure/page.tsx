import type { Metadata } from "next";
import { ComingSoon } from "@/components/ComingSoon";

export const metadata: Metadata = { title: "Infrastructure" };

export default function InfrastructurePage() {
  return (
    <ComingSoon title="Infrastructure">
      <p>
        Here you will manage your servers and snapshots: create droplets on DigitalOcean, adopt any
        server reachable over SSH, and see each agent&apos;s health and version.
      </p>
    </ComingSoon>
  );
}

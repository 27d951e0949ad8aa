import type { Metadata } from "next";
import { ComingSoon } from "@/components/ComingSoon";

export const metadata: Metadata = { title: "Deploy" };

export default function DeployPage() {
  return (
    <ComingSoon title="Deploy">
      <p>
        Here you will release a service from an uploaded archive, a git ref or a prebuilt image, and
        follow the rollout live, server by server.
      </p>
      <p>Until then, set up your projects and services, and save your provider credentials in Settings.</p>
    </ComingSoon>
  );
}

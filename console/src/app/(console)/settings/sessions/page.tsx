import type { Metadata } from "next";
import { SessionsPanel } from "@/components/settings/SessionsPanel";

export const metadata: Metadata = { title: "Sessions" };

export default function SessionsPage() {
  return (
    <>
      <h2 className="section-title">Sessions</h2>
      <p className="section-description">Where you are signed in, and ending any of it.</p>
      <SessionsPanel />
    </>
  );
}

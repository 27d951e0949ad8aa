import type { Metadata } from "next";
import { CredentialsPanel } from "@/components/credentials/CredentialsPanel";

export const metadata: Metadata = { title: "Credentials" };

export default function CredentialsPage() {
  return (
    <>
      <h2 className="section-title">Credentials</h2>
      <p className="section-description">
        Tokens Slipway uses to act on your cloud accounts. They are stored encrypted and never shown
        again after saving.
      </p>
      <CredentialsPanel />
    </>
  );
}

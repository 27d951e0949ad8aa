import type { Metadata } from "next";
import { ApiTokensPanel } from "@/components/api-tokens/ApiTokensPanel";

export const metadata: Metadata = { title: "API tokens" };

export default function ApiTokensPage() {
  return (
    <>
      <h2 className="section-title">API tokens</h2>
      <p className="section-description">Tokens that let scripts and the CLI use the Slipway API as you.</p>
      <ApiTokensPanel />
    </>
  );
}

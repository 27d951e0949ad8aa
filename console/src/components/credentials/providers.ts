import type { CredentialProvider } from "@slipway/sdk";

export interface ProviderInfo {
  provider: CredentialProvider;
  label: string;
  purpose: string;
  tokenHint: string;
}

export const PROVIDERS: readonly ProviderInfo[] = [
  {
    provider: "DIGITALOCEAN",
    label: "DigitalOcean",
    purpose: "Creates servers from snapshots, and scales them.",
    tokenHint: "A personal access token with read and write scope.",
  },
  {
    provider: "CLOUDFLARE",
    label: "Cloudflare",
    purpose: "Points your domains at your servers and issues origin certificates for HTTPS.",
    tokenHint: "An API token allowed to edit DNS and SSL settings of your zones.",
  },
];

export const PROVIDER_LABELS: Record<CredentialProvider, string> = Object.fromEntries(PROVIDERS.map((p) => [p.provider, p.label])) as Record<
  CredentialProvider,
  string
>;

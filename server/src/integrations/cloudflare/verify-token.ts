import { getJsonWithBearer } from "../http.js";

interface VerifyEnvelope {
  success?: boolean;
  result?: { status?: string };
  errors?: { message?: string }[];
}

/** Cloudflare's token verification; resolves to an error message, or null when active. */
export async function verifyCloudflareToken(apiUrl: string, token: string): Promise<string | null> {
  const { status, body } = await getJsonWithBearer(`${apiUrl}/user/tokens/verify`, token);
  const envelope = (body ?? {}) as VerifyEnvelope;
  if (status === 200 && envelope.success && envelope.result?.status === "active") return null;
  if (status === 200 && envelope.result?.status) return `The Cloudflare token is ${envelope.result.status}`;
  if (status === 401 || status === 403) return "Cloudflare rejected the token";
  const message = envelope.errors?.[0]?.message;
  return `Cloudflare answered ${status}${message ? `: ${message}` : ""}`;
}

import { getJsonWithBearer } from "../http.js";

/** Asks DigitalOcean who the token belongs to; resolves to an error message, or null when valid. */
export async function verifyDigitalOceanToken(apiUrl: string, token: string): Promise<string | null> {
  const { status, body } = await getJsonWithBearer(`${apiUrl}/v2/account`, token);
  if (status === 200) return null;
  if (status === 401 || status === 403) return "DigitalOcean rejected the token";
  const message = (body as { message?: unknown } | null)?.message;
  return `DigitalOcean answered ${status}${typeof message === "string" ? `: ${message}` : ""}`;
}

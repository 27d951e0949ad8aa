// Provider and network errors as sentences a person can act on; the raw cause is kept for a
// details line. Pure: tested directly.

export interface Explained {
  /** What happened and what to do, in words. */
  sentence: string;
  /** Where to go to fix it, if somewhere in the console. */
  next?: { href: string; label: string };
  /** The original message, when the sentence replaced it. */
  details?: string;
}

const PROVIDERS: Record<string, string> = { DIGITALOCEAN: "DigitalOcean", CLOUDFLARE: "Cloudflare" };
const CREDENTIALS = { href: "/settings/credentials", label: "Settings → Credentials" };

export function explainProblem(message: string): Explained {
  const missing = /A (DIGITALOCEAN|CLOUDFLARE) credential named "([^"]+)" was not found/.exec(message);
  if (missing) {
    const provider = PROVIDERS[missing[1]!]!;
    return { sentence: `There is no ${provider} token${missing[2] === "default" ? "" : ` named "${missing[2]}"`} yet: add one first.`, next: CREDENTIALS, details: message };
  }
  const host = /(?:ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH)\s+([\w.:-]+)/.exec(message)?.[1];
  const where = host ? host : "the provider";
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) {
    return { sentence: `The control plane could not look up ${where}: it seems to have no internet access or DNS. Check its network (or proxy), then try again.`, details: message };
  }
  if (/ECONNREFUSED/.test(message)) return { sentence: `${capitalise(where)} refused the connection. Check the API address the control plane uses, then try again.`, details: message };
  if (/ETIMEDOUT|EHOSTUNREACH|UND_ERR_CONNECT_TIMEOUT|timed? ?out/i.test(message)) {
    return { sentence: `${capitalise(where)} did not answer in time. Check the control plane's network, then try again.`, details: message };
  }
  if (/\b429\b|rate limit/i.test(message)) return { sentence: "The provider's rate limit was reached. Wait a few minutes, then try again.", details: message };
  if (/\b(401|403)\b|unauthori[sz]ed|unable to authenticate|invalid (api )?token/i.test(message)) {
    return { sentence: "The provider refused the token: it may be revoked, expired or missing a permission. Save a new one.", next: CREDENTIALS, details: message };
  }
  return { sentence: message };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Only same-site paths are followed after sign-in, so a crafted link can't send users elsewhere. */
export function safeNextPath(raw: string | null): string {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return "/";
  if (raw.startsWith("/login") || raw.startsWith("/setup")) return "/";
  return raw;
}

/**
 * Where to go after sign-in: only a page of this same origin, read the way the browser will read
 * it (URL parsing drops tabs and newlines and turns "/\t/evil.test" into "//evil.test", another
 * site), so a crafted link can't send users elsewhere. Sign-in pages themselves lead home.
 */
export function safeNextPath(raw: string | null, origin: string = currentOrigin()): string {
  if (!raw || !raw.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(raw, origin);
  } catch {
    return "/";
  }
  if (url.origin !== origin) return "/";
  if (url.pathname.startsWith("/login") || url.pathname.startsWith("/setup")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

function currentOrigin(): string {
  return typeof location === "undefined" ? "http://localhost" : location.origin;
}

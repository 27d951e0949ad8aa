// The root layout renders the server-side SLIPWAY_API_URL into this meta tag at request time, so
// one build works against any API address.
export const API_URL_META_NAME = "slipway-api-url";

export function resolveApiUrl(): string {
  const fromMeta = document
    .querySelector<HTMLMetaElement>(`meta[name="${API_URL_META_NAME}"]`)
    ?.content.trim();
  if (fromMeta) return fromMeta;
  const fromBuild = process.env.NEXT_PUBLIC_SLIPWAY_API_URL;
  if (fromBuild) return fromBuild;
  return `${location.protocol}//${location.hostname}:4000/graphql`;
}

export function toWebSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, "ws");
}

/** Saved deploy configs name servers by database id; the API's ids are global (base64 of `Server:<id>`). */
export function databaseId(globalId: string): string {
  const decoded = Buffer.from(globalId, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decoded.slice(colon + 1) : globalId;
}

/** What tables show people: the first 8 characters of the database id (the image tag's suffix too). */
export function shortId(globalId: string): string {
  return databaseId(globalId).slice(0, 8);
}

export function globalId(type: string, databaseId: string): string {
  return Buffer.from(`${type}:${databaseId}`).toString("base64");
}

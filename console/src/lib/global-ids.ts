// Global IDs are base64("Type:uuid"). Saved deploy configs store raw server uuids, so the console
// converts between the two only there.
export function toRawId(globalId: string): string {
  try {
    const decoded = atob(globalId);
    const colon = decoded.indexOf(":");
    return colon >= 0 ? decoded.slice(colon + 1) : globalId;
  } catch {
    return globalId;
  }
}

export function toGlobalId(type: string, rawId: string): string {
  return btoa(`${type}:${rawId}`);
}

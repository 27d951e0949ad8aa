// Global IDs are opaque and may hold "/" or "=", so they are always encoded into paths.
export function projectPath(id: string): string {
  return `/projects/${encodeURIComponent(id)}`;
}

export function newServicePath(projectId: string): string {
  return `${projectPath(projectId)}/services/new`;
}

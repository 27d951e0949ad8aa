// Global IDs are opaque and may hold "/" or "=", so they are always encoded into paths.
export const pathTo = (base: string, id: string) => `${base}/${encodeURIComponent(id)}`;

export const servicePath = (id: string) => pathTo("/services", id);
export const operationPath = (id: string) => pathTo("/operations", id);
/** A server's row on the Infrastructure page. */
export const serverAnchor = (id: string) => `server-${encodeURIComponent(id)}`;
export const serverPath = (id: string) => `/infrastructure#${serverAnchor(id)}`;
export const deployPath = (service: { id: string; projectId: string }) =>
  `/deploy?${new URLSearchParams({ project: service.projectId, service: service.id })}`;

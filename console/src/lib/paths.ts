// Addresses people read: projects and services by name (/projects/shop/services/web); operations
// by global id, which is opaque and may hold "/" or "=", so it is always encoded.
export const pathTo = (base: string, id: string) => `${base}/${encodeURIComponent(id)}`;

export interface ProjectRef {
  name: string;
}

export interface ServiceRef {
  name: string;
  project: ProjectRef;
}

export const projectPath = (project: ProjectRef) => pathTo("/projects", project.name);
export const newServicePath = (project: ProjectRef) => `${projectPath(project)}/services/new`;
export const servicePath = (service: ServiceRef) => `${projectPath(service.project)}/services/${encodeURIComponent(service.name)}`;
/** For links that know only the id: the page there goes on to the readable address. */
export const serviceIdPath = (id: string) => pathTo("/services", id);
export const serverPath = (id: string) => pathTo("/servers", id);
export const operationPath = (id: string) => pathTo("/operations", id);
/** A server's row on the Infrastructure page. */
export const serverAnchor = (id: string) => `server-${encodeURIComponent(id)}`;
export const deployPath = (service: { id: string; projectId: string }) =>
  `/deploy?${new URLSearchParams({ project: service.projectId, service: service.id })}`;

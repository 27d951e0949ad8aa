import { pathTo } from "@/lib/paths";

export const projectPath = (id: string) => pathTo("/projects", id);

export function newServicePath(projectId: string): string {
  return `${projectPath(projectId)}/services/new`;
}

import type { Deps } from "../deps.js";
import { verificationState } from "../credentials/credentials.js";

/** How far this install has come: what a getting-started checklist ticks off. */
export interface Overview {
  verifiedDigitalOcean: boolean;
  verifiedCloudflare: boolean;
  servers: number;
  projects: number;
  services: number;
  succeededDeployments: number;
  domains: number;
  /** The first project and service, for "next step" links. */
  firstProjectId: string | null;
  firstServiceId: string | null;
}

export async function getOverview(deps: Deps): Promise<Overview> {
  const { db } = deps;
  const [credentials, servers, projects, services, succeededDeployments, domains, firstProject, firstService] = await Promise.all([
    db.credential.findMany({ select: { provider: true, verifiedAt: true, verificationError: true } }),
    db.server.count(),
    db.project.count(),
    db.service.count(),
    db.deployment.count({ where: { status: "SUCCEEDED" } }),
    db.serviceDomain.count(),
    db.project.findFirst({ orderBy: { name: "asc" }, select: { id: true } }),
    db.service.findFirst({ orderBy: [{ project: { name: "asc" } }, { name: "asc" }], select: { id: true } }),
  ]);
  const verified = (provider: string) => credentials.some((c) => c.provider === provider && verificationState(c) === "VERIFIED");
  return {
    verifiedDigitalOcean: verified("DIGITALOCEAN"),
    verifiedCloudflare: verified("CLOUDFLARE"),
    servers,
    projects,
    services,
    succeededDeployments,
    domains,
    firstProjectId: firstProject?.id ?? null,
    firstServiceId: firstService?.id ?? null,
  };
}

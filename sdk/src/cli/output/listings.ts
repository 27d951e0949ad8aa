import type {
  DeployConfigFieldsFragment, DeploymentFieldsFragment, ServerFieldsFragment, ServiceFieldsFragment,
} from "../../generated/graphql.js";
import { globalId, shortId } from "../global-ids.js";
import { formatTable } from "./table.js";

export function formatProjects(projects: readonly { id: string; name: string; description: string; services: { totalCount: number } }[]): string {
  if (projects.length === 0) return "No projects yet.";
  return formatTable(["NAME", "SERVICES", "DESCRIPTION", "ID"], projects.map((p) => [p.name, String(p.services.totalCount), p.description, p.id]));
}

export function formatServices(project: string, services: readonly ServiceFieldsFragment[]): string {
  if (services.length === 0) return `Project ${project} has no services yet.`;
  return formatTable(
    ["NAME", "PORT", "SOURCE", "HEALTH CHECK", "ID"],
    services.map((s) => [s.name, String(s.port), s.sourceType, s.healthCheckPath, s.id]),
  );
}

export function formatDeployments(deployments: readonly DeploymentFieldsFragment[]): string {
  if (deployments.length === 0) return "No deployments.";
  return formatTable(
    ["ID", "STATUS", "SOURCE", "IMAGE", "CREATED", "NOTE"],
    deployments.map((d) => [shortId(d.id), d.status, `${d.sourceType} ${d.sourceRef}`, d.imageTag, d.createdAt, deploymentNote(d)]),
  );
}

function deploymentNote(d: DeploymentFieldsFragment): string {
  const notes = [d.pinned ? "pinned" : "", d.restored ? `rollback to ${shortId(d.restored.id)}` : "", d.error ?? ""];
  return notes.filter(Boolean).join("; ");
}

export function formatServers(servers: readonly ServerFieldsFragment[]): string {
  if (servers.length === 0) return "No servers yet.";
  return formatTable(
    ["NAME", "STATUS", "KIND", "ADDRESS", "AGENT", "ID"],
    servers.map((s) => [
      s.name,
      // A lost server says since when (UTC, to the second).
      s.unreachableSince ? `${s.status} since ${s.unreachableSince.slice(0, 19).replace("T", " ")}` : s.status,
      s.kind,
      s.publicIpv4 ?? "-",
      `${s.agentVersion ?? "-"}${s.agentOutdated ? ` (expects ${s.expectedAgentVersion})` : ""}`,
      s.id,
    ]),
  );
}

export function formatDeployConfigs(configs: readonly DeployConfigFieldsFragment[]): string {
  if (configs.length === 0) return "No saved deploy configs.";
  return formatTable(["NAME", "SOURCE", "UPDATED", "ID"], configs.map((c) => [c.name, describeSource(c.settings), c.updatedAt, c.id]));
}

/** A saved config's source in a few words. */
export function describeSource(settings: unknown): string {
  const source = (settings as { source?: { type?: string; image?: string; repository?: string; ref?: string } }).source;
  if (source?.type === "IMAGE") return `image ${source.image}`;
  if (source?.type === "GIT") return `git ${source.repository}#${source.ref}`;
  return source?.type === "ARCHIVE" ? "archive" : "?";
}

export function formatDeployConfig(config: DeployConfigFieldsFragment, names: ReadonlyMap<string, string>): string {
  const serverIds = (config.settings as { serverIds?: string[] }).serverIds ?? [];
  const servers = serverIds.length > 0 ? serverIds.map((id) => names.get(globalId("Server", id)) ?? id).join(", ") : "the servers running the service";
  return [`${config.name} (${config.id})`, `  source:  ${describeSource(config.settings)}`, `  servers: ${servers}`, `  updated: ${config.updatedAt}`].join("\n");
}

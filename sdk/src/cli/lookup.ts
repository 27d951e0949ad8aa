import { databaseId } from "./global-ids.js";
import type { SlipwayClient } from "../client.js";
import { DeploymentsDocument, OperationSubjectDocument, ProjectDocument, ProjectsDocument, ServersDocument, type ServerFieldsFragment } from "../generated/graphql.js";
import { CliError, ExitCode } from "./exit-codes.js";

const PAGE = 100;

export interface ProjectRef {
  id: string;
  name: string;
}

/** Finds a project by name (or by its id). */
export async function findProject(client: SlipwayClient, nameOrId: string): Promise<ProjectRef> {
  let after: string | null | undefined;
  do {
    const page = (await client.request(ProjectsDocument, { first: PAGE, after })).projects;
    const match = page.edges.find((e) => e.node.name === nameOrId || e.node.id === nameOrId);
    if (match) return match.node;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
  } while (after);
  throw new CliError(`No project named "${nameOrId}"`, ExitCode.Usage);
}

export async function listServices(client: SlipwayClient, projectId: string) {
  const services = [];
  let after: string | null | undefined;
  do {
    const project = (await client.request(ProjectDocument, { id: projectId, first: PAGE, after })).project;
    if (!project) break;
    services.push(...project.services.edges.map((e) => e.node));
    after = project.services.pageInfo.hasNextPage ? project.services.pageInfo.endCursor : undefined;
  } while (after);
  return services;
}

/** `project/service` as typed on the command line. */
export function parseServicePath(value: string): { project: string; service: string } {
  const match = /^([^/]+)\/([^/]+)$/.exec(value);
  if (!match) throw new CliError(`--service takes project/service, e.g. shop/web (got "${value}")`, ExitCode.Usage);
  return { project: match[1]!, service: match[2]! };
}

export async function findService(client: SlipwayClient, servicePath: string): Promise<{ id: string; name: string; project: ProjectRef }> {
  const wanted = parseServicePath(servicePath);
  const project = await findProject(client, wanted.project);
  const service = (await listServices(client, project.id)).find((s) => s.name === wanted.service);
  if (!service) throw new CliError(`Project "${project.name}" has no service named "${wanted.service}"`, ExitCode.Usage);
  return { id: service.id, name: service.name, project };
}

export async function listServers(client: SlipwayClient): Promise<ServerFieldsFragment[]> {
  const servers: ServerFieldsFragment[] = [];
  let after: string | null | undefined;
  do {
    const page = (await client.request(ServersDocument, { first: PAGE, after })).servers;
    servers.push(...page.edges.map((e) => e.node));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
  } while (after);
  return servers;
}

/** Server names by global id, for progress output. */
export function serverNames(servers: readonly Pick<ServerFieldsFragment, "id" | "name">[]): Map<string, string> {
  return new Map(servers.map((s) => [s.id, s.name]));
}

/** `--server` values (names or ids) to global ids. */
export function pickServers(servers: readonly Pick<ServerFieldsFragment, "id" | "name">[], wanted: readonly string[]): string[] {
  return wanted.map((value) => {
    const server = servers.find((s) => s.name === value || s.id === value || databaseId(s.id) === value);
    if (!server) throw new CliError(`No server named "${value}"`, ExitCode.Usage);
    return server.id;
  });
}

/** How far back a short deployment id is looked for: the newest this many deployments. */
const SHORT_ID_SEARCH = 1000;

/**
 * A deployment as people type it: its global id, or the start of its database id as tables show
 * it (8 characters, at least 6). Other values (an operation's id, say) pass through unchanged.
 */
export async function resolveDeploymentId(client: SlipwayClient, value: string): Promise<string> {
  if (!/^[0-9a-f]{6,}(-[0-9a-f-]*)?$/.test(value)) return value;
  const matches: string[] = [];
  let after: string | null | undefined;
  let seen = 0;
  do {
    const page = (await client.request(DeploymentsDocument, { first: PAGE, after })).deployments;
    for (const { node } of page.edges) if (databaseId(node.id).startsWith(value)) matches.push(node.id);
    seen += page.edges.length;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : undefined;
  } while (after && seen < SHORT_ID_SEARCH);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new CliError(`No deployment has an id starting with "${value}"`, ExitCode.Usage);
  throw new CliError(`${matches.length} deployments have an id starting with "${value}": give more of it`, ExitCode.Usage);
}

/** The operation an id names: an operation's own id, or a deployment's (full or short) whose operation it is. */
export async function resolveOperationId(client: SlipwayClient, value: string): Promise<string> {
  const id = await resolveDeploymentId(client, value);
  const subject = (await client.request(OperationSubjectDocument, { id })).node;
  if (subject?.__typename === "Operation") return subject.id;
  if (subject?.__typename === "Deployment") {
    if (!subject.operation) throw new CliError(`Deployment ${value} has no recorded operation`, ExitCode.Usage);
    return subject.operation.id;
  }
  throw new CliError(`No deployment or operation has the id "${value}"`, ExitCode.Usage);
}

import type { Command } from "commander";
import {
  CreateServiceDocument, DeleteServiceDocument, ServiceRemovalDocument, UpdateServiceDocument, type ServiceRemovalFieldsFragment,
} from "../../generated/graphql.js";
import { confirmByName } from "../confirm.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { findProject, findService, listServices, parseServicePath } from "../lookup.js";
import { formatServices } from "../output/listings.js";
import { printListing, printResult } from "../print.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

interface ServiceSettings {
  port?: string;
  healthCheck?: string;
  healthTimeout?: string;
  json?: boolean;
}

export function registerServices(program: Command): void {
  const services = program
    .command("services")
    .description("List, create, change, rename and delete services")
    .addHelpText(
      "after",
      examples("slipway services shop", "slipway services create shop/web --port 8080 --health-check /healthz", "slipway services rename shop/web site", "slipway services delete shop/site"),
    );

  services
    .command("list", { isDefault: true })
    .description("List a project's services (the default)")
    .argument("<project>", "the project's name or id")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway services shop", "slipway services list shop --json"))
    .action(async (name: string, options: { json?: boolean }) => {
      const client = await connect();
      const project = await findProject(client, name);
      const list = await listServices(client, project.id);
      printListing(options.json, list, formatServices(project.name, list));
    });

  services
    .command("create")
    .description("Create a service in a project")
    .argument("<project/service>", "e.g. shop/web")
    .option("--port <port>", "the port the app listens on (default 3000)")
    .option("--health-check <path>", "the path answered with 2xx when healthy (default /)")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway services create shop/web", "slipway services create shop/api --port 8080 --health-check /healthz"))
    .action(async (path: string, options: ServiceSettings) => {
      const wanted = parseServicePath(path);
      const client = await connect();
      const project = await findProject(client, wanted.project);
      const input = { projectId: project.id, name: wanted.service, port: portOf(options.port), healthCheckPath: options.healthCheck };
      const service = unwrap((await client.request(CreateServiceDocument, { input })).createService);
      printResult(options.json, service, `Created ${project.name}/${service.name}. Next: slipway deploy --service ${project.name}/${service.name}`);
    });

  services
    .command("set")
    .description("Change how a service runs; it takes effect with the next deploy")
    .argument("<project/service>", "e.g. shop/web")
    .option("--port <port>", "the port the app listens on")
    .option("--health-check <path>", "the path answered with 2xx when healthy")
    .option("--health-timeout <seconds>", "how long a new release may take to become healthy")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway services set shop/web --port 8080", "slipway services set shop/web --health-check /healthz --health-timeout 60"))
    .action(async (path: string, options: ServiceSettings) => {
      const client = await connect();
      const service = await findService(client, path);
      const timeout = options.healthTimeout === undefined ? undefined : Number(options.healthTimeout);
      if (timeout !== undefined && !Number.isInteger(timeout)) throw new CliError("--health-timeout takes whole seconds", ExitCode.Usage);
      const input = { id: service.id, port: portOf(options.port), healthCheckPath: options.healthCheck, healthCheckTimeoutSeconds: timeout };
      const updated = unwrap((await client.request(UpdateServiceDocument, { input })).updateService);
      printResult(
        options.json,
        updated,
        `Updated ${path}: port ${updated.port}, health check ${updated.healthCheckPath} within ${updated.healthCheckTimeoutSeconds} s. It takes effect with the next deploy.`,
      );
    });

  services
    .command("rename")
    .description("Rename a service (what runs keeps running)")
    .argument("<project/service>", "e.g. shop/web")
    .argument("<new-name>", "the new name")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway services rename shop/web site"))
    .action(async (path: string, name: string, options: { json?: boolean }) => {
      const client = await connect();
      const service = await findService(client, path);
      const renamed = unwrap((await client.request(UpdateServiceDocument, { input: { id: service.id, name } })).updateService);
      printResult(options.json, renamed, `Renamed ${path} to ${service.project.name}/${renamed.name}`);
    });

  services
    .command("delete")
    .description("Delete a service, its deployments and settings, after saying what it removes from servers")
    .argument("<project/service>", "e.g. shop/web")
    .option("--yes", "do not ask to type the name")
    .option("--json", "print JSON")
    .addHelpText("after", `${examples("slipway services delete shop/web", "slipway services delete shop/web --yes")}\nRefused while a deployment of the service runs.`)
    .action(async (path: string, options: { yes?: boolean; json?: boolean }) => {
      const client = await connect();
      const service = await findService(client, path);
      const node = (await client.request(ServiceRemovalDocument, { id: service.id })).node;
      const removal = node && "removal" in node ? node.removal : undefined;
      if (removal?.blockedBy) throw new CliError(removal.blockedBy, ExitCode.Failed);
      if (removal && !options.json) process.stderr.write(`${describeRemoval(path, removal)}\n`);
      await confirmByName(`delete ${path}`, path, options.yes);
      const deleted = unwrap((await client.request(DeleteServiceDocument, { id: service.id })).deleteService);
      printResult(options.json, deleted, `Deleted ${path}`);
    });
}

/** What deleting removes, one line per place. Pure, for tests. */
export function describeRemoval(path: string, removal: ServiceRemovalFieldsFragment): string {
  const lines = [`Deleting ${path} removes its deployments, env vars, domains and deploy configs from Slipway`];
  for (const server of removal.servers) {
    const images = server.images.length === 1 ? "1 image" : `${server.images.length} images`;
    lines.push(`  on ${server.serverName}: the ${server.agentName} containers, its nginx site and ${images}`);
  }
  if (removal.dnsHostnames.length > 0) lines.push(`  from Cloudflare DNS: the records of ${removal.dnsHostnames.join(", ")}`);
  if (removal.servers.length === 0) lines.push("  (nothing on servers: it was never deployed)");
  return lines.join("\n");
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port)) throw new CliError(`--port takes a number (got "${value}")`, ExitCode.Usage);
  return port;
}

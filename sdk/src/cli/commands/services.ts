import type { Command } from "commander";
import {
  CreateServiceDocument, DeleteServiceDocument, ServiceRemovalDocument, UpdateServiceDocument, type ServiceRemovalFieldsFragment,
} from "../../generated/graphql.js";
import { confirmByName } from "../confirm.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { followOperation } from "../follow.js";
import { findProject, findService, listServices, parseServicePath } from "../lookup.js";
import { formatServices } from "../output/listings.js";
import { printListing, printResult } from "../print.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

interface ServiceSettings {
  port?: string;
  healthCheck?: string;
  healthTimeout?: string;
  healthInterval?: string;
  drain?: string;
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
    .option("--health-interval <ms>", "the pause between health checks, in milliseconds")
    .option("--drain <seconds>", "how long an old release may finish its requests after the switch")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      examples(
        "slipway services set shop/web --port 8080",
        "slipway services set shop/web --health-check /healthz --health-timeout 60",
        "slipway services set shop/web --health-interval 500 --drain 10",
      ),
    )
    .action(async (path: string, options: ServiceSettings) => {
      const input = {
        port: portOf(options.port),
        healthCheckPath: options.healthCheck,
        healthCheckTimeoutSeconds: wholeNumberOf("--health-timeout", "seconds", options.healthTimeout),
        healthCheckIntervalMs: wholeNumberOf("--health-interval", "milliseconds", options.healthInterval),
        drainTimeoutSeconds: wholeNumberOf("--drain", "seconds", options.drain),
      };
      const client = await connect();
      const service = await findService(client, path);
      const updated = unwrap((await client.request(UpdateServiceDocument, { input: { id: service.id, ...input } })).updateService);
      printResult(options.json, updated, `Updated ${path}: ${describeSettings(updated)}. It takes effect with the next deploy.`);
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
    .description("Delete a service, its deployments and settings, after saying what it removes from servers; follows the removal from its servers")
    .argument("<project/service>", "e.g. shop/web")
    .option("--yes", "do not ask to type the name")
    .option("--json", "print JSON (one object per event while it is removed from servers, then a summary)")
    .addHelpText(
      "after",
      `${examples("slipway services delete shop/web", "slipway services delete shop/web --yes")}\n` +
        "Refused while a deployment of the service runs. Exits 0 once it is deleted and 1 when removing it from a server failed (it is kept: run it again).",
    )
    .action(async (path: string, options: { yes?: boolean; json?: boolean }) => {
      const client = await connect();
      const service = await findService(client, path);
      const node = (await client.request(ServiceRemovalDocument, { id: service.id })).node;
      const removal = node && "removal" in node ? node.removal : undefined;
      if (removal?.blockedBy) throw new CliError(removal.blockedBy, ExitCode.Failed);
      if (removal && !options.json) process.stderr.write(`${describeRemoval(path, removal)}\n`);
      await confirmByName(`delete ${path}`, path, options.yes);
      const deleted = unwrap((await client.request(DeleteServiceDocument, { id: service.id })).deleteService);
      if (!deleted.operation) return printResult(options.json, deleted, `Deleted ${path}`);
      if (!options.json) process.stdout.write(`${deleted.operation.title}: operation ${deleted.operation.id}\n`);
      const names = new Map(deleted.removed.servers.map((server) => [server.serverId, server.serverName]));
      process.exitCode = await followOperation(client, deleted.operation.id, Boolean(options.json), names);
      await client.close();
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

/** How a service runs, in one line. */
function describeSettings(service: {
  port: number;
  healthCheckPath: string;
  healthCheckTimeoutSeconds: number;
  healthCheckIntervalMs: number;
  drainTimeoutSeconds: number;
}): string {
  return (
    `port ${service.port}, health check ${service.healthCheckPath} every ${service.healthCheckIntervalMs} ms within ${service.healthCheckTimeoutSeconds} s, ` +
    `drain ${service.drainTimeoutSeconds} s`
  );
}

function wholeNumberOf(option: string, unit: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isInteger(number)) throw new CliError(`${option} takes whole ${unit} (got "${value}")`, ExitCode.Usage);
  return number;
}

function portOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port)) throw new CliError(`--port takes a number (got "${value}")`, ExitCode.Usage);
  return port;
}

import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import type { SlipwayClient } from "../../client.js";
import {
  DeployConfigsDocument, DeployDocument, RollbackDocument, ServiceDocument, UploadLimitsDocument, type DeployInput, type DeploySourceInput, type DeploymentStartedFieldsFragment,
} from "../../generated/graphql.js";
import { listArchiveEntries, packArchive, readIgnoreRules, tooBigMessage } from "../archive.js";
import { examples } from "../help.js";
import { createProgress, type Progress } from "../output/progress.js";
import { formatBytes } from "../output/style.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { repeatable, sourceOf, type SourceOptions } from "../source-options.js";
import { followRelease } from "../follow.js";
import { globalId } from "../global-ids.js";
import { findService, listServers, pickServers, resolveDeploymentId, serverNames } from "../lookup.js";
import type { Outcome } from "../output/events.js";
import { createReporter, outputMode } from "../output/reporters.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

interface DeployOptions extends SourceOptions {
  service: string;
  dir: string;
  json?: boolean;
}

export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description("Deploy a service and follow its progress until it succeeds or fails")
    .requiredOption("--service <project/service>", "the service to deploy, e.g. shop/web")
    .option("--image <ref>", "deploy this prebuilt image")
    .option("--pull <when>", "with --image: pull it `always`, or only when `missing` from the server (default)")
    .option("--git <repository>", "build from this git repository (with --ref)")
    .option("--ref <ref>", "the branch, tag or commit to build (with --git)")
    .option("--config <name>", "deploy with the source and servers of a saved deploy config")
    .option("--dir <path>", "upload and build this folder (the default source)", ".")
    .option("--server <name>", "deploy to this server (repeat for several; default: the servers running the service)", repeatable)
    .option("--json", "print one JSON object per event and a final summary")
    .addHelpText(
      "after",
      `${examples(
        "slipway deploy --service shop/web",
        "slipway deploy --service shop/web --dir ./site",
        "slipway deploy --service shop/web --image registry.example.com/shop/web:1.4.2 --server web-1",
        "slipway deploy --service shop/web --git https://github.com/acme/web.git --ref main",
        "slipway deploy --service shop/web --config prod --json",
      )}\n\nWithout --image, --git or --config the folder is uploaded as a tar.gz; node_modules, .git and\nwhat .gitignore and .slipwayignore (at the folder's root) list are left out. Its packed size is\nchecked against the server's limit before anything is sent.\nExits 0 when the deploy succeeds and 1 when it fails.`,
    )
    .action(async (options: DeployOptions) => {
      const source = sourceOf(options);
      const client = await connect();
      const service = await findService(client, options.service);
      const servers = await listServers(client);
      const saved = options.config ? await loadSettings(client, service.id, options.config) : undefined;
      const serverIds = options.server ? pickServers(servers, options.server) : saved?.serverIds;
      if (!serverIds) await requireCurrentServers(client, service.id, options.service, servers.length);
      const input = { serviceId: service.id, source: saved?.source ?? source, serverIds };
      const result = input.source.type === "ARCHIVE" ? await uploadFolder(client, options.dir, input) : await client.request(DeployDocument, { input });
      process.exitCode = await follow(client, "deploy", unwrap(result.deploy), options.json, serverNames(servers));
      await client.close();
    });

  program
    .command("rollback")
    .description("Put an earlier deployment's image and config back, and follow its progress")
    .argument("<deployment-id>", "the deployment to restore (see `slipway deployments`)")
    .option("--json", "print one JSON object per event and a final summary")
    .addHelpText("after", `${examples("slipway rollback 3f2a9c1e          # the ID column of slipway deployments", "slipway rollback 3f2a9c1e --json")}\n\nExits 0 when the rollback succeeds and 1 when it fails.`)
    .action(async (deploymentId: string, options: { json?: boolean }) => {
      const client = await connect();
      const servers = await listServers(client);
      const result = await client.request(RollbackDocument, { deploymentId: await resolveDeploymentId(client, deploymentId) });
      process.exitCode = await follow(client, "rollback", unwrap(result.rollback), options.json, serverNames(servers));
      await client.close();
    });
}

function follow(client: SlipwayClient, kind: Outcome["kind"], started: DeploymentStartedFieldsFragment, json: boolean | undefined, names: Map<string, string>) {
  return followRelease(client, kind, started, createReporter(outputMode(Boolean(json), process.stdout), process.stdout, names));
}

async function loadSettings(client: SlipwayClient, serviceId: string, name: string) {
  const configs = (await client.request(DeployConfigsDocument, { serviceId })).deployConfigs;
  const config = configs.find((c) => c.name === name);
  if (!config) throw new CliError(`The service has no deploy config named "${name}"`, ExitCode.Usage);
  const settings = config.settings as { source: DeploySourceInput; serverIds: string[] };
  return { source: settings.source, serverIds: settings.serverIds.length > 0 ? settings.serverIds.map((id) => globalId("Server", id)) : undefined };
}

/** Without --server the service's current servers are used: say so before packing if it has none. */
async function requireCurrentServers(client: SlipwayClient, serviceId: string, path: string, serverCount: number): Promise<void> {
  const node = (await client.request(ServiceDocument, { id: serviceId })).node;
  if (node && "servers" in node && node.servers.length > 0) return;
  throw new CliError(
    serverCount === 0
      ? "There are no servers to deploy to yet: adopt one (slipway servers adopt) or create one in the console's Infrastructure page"
      : `${path} runs on no server yet: choose where with --server <name> (slipway servers lists them)`,
    ExitCode.Usage,
  );
}

/** Packs the folder, checks it against the server's published limit, then uploads it: never what will be refused. */
async function uploadFolder(client: SlipwayClient, dir: string, input: DeployInput) {
  const progress = createProgress();
  try {
    const { maxArchiveBytes } = (await client.request(UploadLimitsDocument)).limits;
    const archive = await archiveOf(dir, progress);
    if (archive.size > maxArchiveBytes) throw new CliError(tooBigMessage(resolve(dir), archive.size, maxArchiveBytes, formatBytes), ExitCode.Usage);
    const result = await client.upload(DeployDocument, { input }, { archive }, { onProgress: (sent, total) => progress.update("Uploading", sent, total) });
    progress.stop(`Uploaded ${formatBytes(archive.size)}`);
    return result;
  } catch (error) {
    progress.stop();
    throw error;
  }
}

async function archiveOf(dir: string, progress: Progress): Promise<File> {
  const root = resolve(dir);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new CliError(`${root} is not a folder`, ExitCode.Usage);
  const entries = await listArchiveEntries(root, await readIgnoreRules(root));
  if (entries.length === 0) throw new CliError(`Nothing to upload in ${root}`, ExitCode.Usage);
  const label = `Packing ${entries.length} files and folders`;
  progress.update(label);
  const bytes = await packArchive(root, entries, (packed) => progress.update(label, packed));
  return new File([bytes], `${basename(root) || "app"}.tar.gz`, { type: "application/gzip" });
}

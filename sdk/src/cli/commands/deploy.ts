import { stat } from "node:fs/promises";
import { basename, resolve } from "node:path";
import type { Command } from "commander";
import type { SlipwayClient } from "../../client.js";
import {
  DeployConfigsDocument, DeployDocument, RollbackDocument, type DeploySourceInput, type DeploymentStartedFieldsFragment,
} from "../../generated/graphql.js";
import { listArchiveEntries, packArchive, readIgnoreRules } from "../archive.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { repeatable, sourceOf, type SourceOptions } from "../source-options.js";
import { followRelease } from "../follow.js";
import { globalId } from "../global-ids.js";
import { findService, listServers, pickServers, serverNames } from "../lookup.js";
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
      "\nWithout --image, --git or --config the folder is uploaded as a tar.gz; node_modules, .git and\nwhat .gitignore and .slipwayignore (at the folder's root) list are left out.\nExits 0 when the deploy succeeds and 1 when it fails.",
    )
    .action(async (options: DeployOptions) => {
      const source = sourceOf(options);
      const client = await connect();
      const service = await findService(client, options.service);
      const servers = await listServers(client);
      const saved = options.config ? await loadSettings(client, service.id, options.config) : undefined;
      const serverIds = options.server ? pickServers(servers, options.server) : saved?.serverIds;
      const input = { serviceId: service.id, source: saved?.source ?? source, serverIds };
      const result =
        input.source.type === "ARCHIVE"
          ? await client.upload(DeployDocument, { input }, { archive: await archiveOf(options.dir) })
          : await client.request(DeployDocument, { input });
      process.exitCode = await follow(client, "deploy", unwrap(result.deploy), options.json, serverNames(servers));
      await client.close();
    });

  program
    .command("rollback")
    .description("Put an earlier deployment's image and config back, and follow its progress")
    .argument("<deployment-id>", "the deployment to restore (see `slipway deployments`)")
    .option("--json", "print one JSON object per event and a final summary")
    .addHelpText("after", "\nExits 0 when the rollback succeeds and 1 when it fails.")
    .action(async (deploymentId: string, options: { json?: boolean }) => {
      const client = await connect();
      const servers = await listServers(client);
      const result = await client.request(RollbackDocument, { deploymentId });
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

async function archiveOf(dir: string): Promise<File> {
  const root = resolve(dir);
  if (!(await stat(root).catch(() => undefined))?.isDirectory()) throw new CliError(`${root} is not a folder`, ExitCode.Usage);
  const entries = await listArchiveEntries(root, await readIgnoreRules(root));
  if (entries.length === 0) throw new CliError(`Nothing to upload in ${root}`, ExitCode.Usage);
  return new File([await packArchive(root, entries)], `${basename(root) || "app"}.tar.gz`, { type: "application/gzip" });
}

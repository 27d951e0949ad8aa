import type { Command } from "commander";
import type { SlipwayClient } from "../../client.js";
import { CreateDeployConfigDocument, DeployConfigsDocument, UpdateDeployConfigDocument } from "../../generated/graphql.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { databaseId } from "../global-ids.js";
import { findService, listServers, pickServers, serverNames } from "../lookup.js";
import { formatDeployConfig, formatDeployConfigs } from "../output/listings.js";
import { unwrap } from "../results.js";
import { printListing } from "../print.js";
import { connect } from "../session.js";
import { repeatable, sourceOf, type SourceOptions } from "../source-options.js";

interface SaveOptions extends Omit<SourceOptions, "config"> {
  service: string;
}

export function registerConfig(program: Command): void {
  const config = program.command("config").description("Save and load named deploy settings (deploy with `slipway deploy --config <name>`)");

  config
    .command("save")
    .description("Save the source and servers of a deploy under a name (replacing a config of that name)")
    .argument("<name>", "the config's name")
    .requiredOption("--service <project/service>", "the service, e.g. shop/web")
    .option("--image <ref>", "deploy this prebuilt image")
    .option("--git <repository>", "build from this git repository (with --ref)")
    .option("--ref <ref>", "the branch, tag or commit to build (with --git)")
    .option("--server <name>", "deploy to this server (repeat for several)", repeatable)
    .addHelpText("after", "\nWithout --image or --git the config deploys an uploaded folder.")
    .addHelpText("after", examples("slipway config save prod --service shop/web --image registry.example.com/shop/web:1.4.2 --server web-1"))
    .action(async (name: string, options: SaveOptions) => {
      const source = sourceOf(options);
      const client = await connect();
      const service = await findService(client, options.service);
      const serverIds = options.server ? pickServers(await listServers(client), options.server).map(databaseId) : [];
      const settings = { source, serverIds };
      const existing = (await savedConfigs(client, service.id)).find((c) => c.name === name);
      const saved = existing
        ? unwrap((await client.request(UpdateDeployConfigDocument, { id: existing.id, input: { settings } })).updateDeployConfig)
        : unwrap((await client.request(CreateDeployConfigDocument, { input: { serviceId: service.id, name, settings } })).createDeployConfig);
      process.stdout.write(`${existing ? "Updated" : "Saved"} deploy config "${saved.name}" for ${options.service}\n`);
    });

  config
    .command("load")
    .description("Show a saved deploy config")
    .argument("<name>", "the config's name")
    .requiredOption("--service <project/service>", "the service, e.g. shop/web")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway config load prod --service shop/web", "slipway config load prod --service shop/web --json"))
    .action(async (name: string, options: { service: string; json?: boolean }) => {
      const client = await connect();
      const service = await findService(client, options.service);
      const found = (await savedConfigs(client, service.id)).find((c) => c.name === name);
      if (!found) throw new CliError(`${options.service} has no deploy config named "${name}"`, ExitCode.Usage);
      printListing(options.json, found, formatDeployConfig(found, serverNames(await listServers(client))));
    });

  config
    .command("list")
    .description("List a service's saved deploy configs")
    .requiredOption("--service <project/service>", "the service, e.g. shop/web")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway config list --service shop/web"))
    .action(async (options: { service: string; json?: boolean }) => {
      const client = await connect();
      const configs = await savedConfigs(client, (await findService(client, options.service)).id);
      printListing(options.json, configs, formatDeployConfigs(configs));
    });
}

async function savedConfigs(client: SlipwayClient, serviceId: string) {
  return (await client.request(DeployConfigsDocument, { serviceId })).deployConfigs;
}

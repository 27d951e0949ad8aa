import type { Command } from "commander";
import { ServiceCurrentMetricsDocument } from "../../generated/graphql.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { findService } from "../lookup.js";
import { formatMetrics } from "../output/metrics.js";
import { printListing } from "../print.js";
import { connect } from "../session.js";

export function registerMetrics(program: Command): void {
  program
    .command("metrics")
    .description("Print a service's current figures per server (CPU, memory, requests, 5xx, latency) and its autoscaling")
    .argument("<project/service>", "the service, e.g. shop/web")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExample:\n  slipway metrics shop/web\n  slipway metrics shop/web --json | jq '.currentMetrics.requestsPerSecond'")
    .action(async (path: string, options: { json?: boolean }) => {
      const client = await connect();
      const { id } = await findService(client, path);
      const node = (await client.request(ServiceCurrentMetricsDocument, { id })).node;
      if (node?.__typename !== "Service") throw new CliError(`No service "${path}"`, ExitCode.Usage);
      printListing(options.json, node, formatMetrics(path, node));
      await client.close();
    });
}

import type { Command } from "commander";
import { DeploymentsDocument, type DeploymentStatus } from "../../generated/graphql.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { findService } from "../lookup.js";
import { formatDeployments } from "../output/listings.js";
import { printListing } from "../print.js";
import { connect } from "../session.js";

const STATUSES: readonly DeploymentStatus[] = ["QUEUED", "BUILDING", "DEPLOYING", "SUCCEEDED", "FAILED", "CANCELLED"];

export function parseStatus(value: string): DeploymentStatus {
  const status = value.toUpperCase() as DeploymentStatus;
  if (!STATUSES.includes(status)) throw new CliError(`--status is one of ${STATUSES.join(", ").toLowerCase()} (got "${value}")`, ExitCode.Usage);
  return status;
}

export function registerDeployments(program: Command): void {
  program
    .command("deployments")
    .description("List a service's deployments, newest first")
    .requiredOption("--service <project/service>", "the service, e.g. shop/web")
    .option("--status <status>", `only deployments in this status (${STATUSES.join(", ").toLowerCase()})`)
    .option("--limit <n>", "at most this many", "20")
    .option("--json", "print JSON (with full ids)")
    .addHelpText(
      "after",
      `${examples("slipway deployments --service shop/web", "slipway deployments --service shop/web --status failed --limit 5")}\nThe ID column shows the start of each id: rollback and logs take it.`,
    )
    .action(async (options: { service: string; status?: string; limit: string; json?: boolean }) => {
      const status = options.status === undefined ? undefined : parseStatus(options.status);
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new CliError("--limit is a whole number from 1 to 100", ExitCode.Usage);
      const client = await connect();
      const service = await findService(client, options.service);
      const page = (await client.request(DeploymentsDocument, { serviceId: service.id, status, first: limit })).deployments;
      const deployments = page.edges.map((e) => e.node);
      printListing(options.json, deployments, formatDeployments(deployments));
    });
}

import { Command } from "commander";
import { registerConfig } from "./commands/config.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDeployments } from "./commands/deployments.js";
import { registerListings } from "./commands/listings.js";
import { registerLogin } from "./commands/login.js";
import { registerLogs } from "./commands/logs.js";
import { registerMetrics } from "./commands/metrics.js";
import { registerServers } from "./commands/servers.js";

const FOOTER = `
Environment:
  SLIPWAY_URL, SLIPWAY_TOKEN  the server and an API token; they take the place of \`slipway login\` (e.g. in CI)
  XDG_CONFIG_HOME             where the login is stored (default ~/.config)

Exit codes:
  0  success
  1  the deploy or rollback failed (or another one is running)
  2  usage error, or input the server refused as invalid or unknown
  3  not logged in, bad credentials or token, or a missing permission
  4  the server could not be reached`;

export function buildProgram(): Command {
  const program = new Command("slipway")
    .description("Deploy and inspect services on a Slipway server")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", FOOTER);
  registerLogin(program);
  registerListings(program);
  registerServers(program);
  registerDeploy(program);
  registerDeployments(program);
  registerLogs(program);
  registerMetrics(program);
  registerConfig(program);
  return program;
}

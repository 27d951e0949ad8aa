import { createRequire } from "node:module";
import { Command } from "commander";
import { registerCancel } from "./commands/cancel.js";
import { registerConfig } from "./commands/config.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDeployments } from "./commands/deployments.js";
import { registerDomains } from "./commands/domains.js";
import { registerEnv } from "./commands/env.js";
import { registerLogin } from "./commands/login.js";
import { registerLogs } from "./commands/logs.js";
import { registerOpen } from "./commands/open.js";
import { registerProjects } from "./commands/projects.js";
import { registerMetrics } from "./commands/metrics.js";
import { registerServers } from "./commands/servers.js";
import { registerServices } from "./commands/services.js";
import { examples } from "./help.js";

// From src/cli or dist/cli alike, the package's own package.json is two folders up.
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const FOOTER = `${examples(
  "slipway login https://slipway.example.com",
  "slipway projects create shop && slipway services create shop/web --port 8080",
  "slipway deploy --service shop/web",
  "slipway open shop/web",
)}

Environment:
  SLIPWAY_URL, SLIPWAY_TOKEN  the server and an API token; they take the place of \`slipway login\` (e.g. in CI)
  XDG_CONFIG_HOME             where the login is stored (default ~/.config)
  NO_COLOR                    no colour, even on a terminal

Exit codes:
  0  success
  1  the deploy or rollback failed (or another one is running)
  2  usage error, or input the server refused as invalid or unknown
  3  not logged in, bad credentials or token, or a missing permission
  4  the server could not be reached`;

export function buildProgram(): Command {
  const program = new Command("slipway")
    .description("Deploy and inspect services on a Slipway server")
    .version(version, "-v, --version", "print the version")
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", FOOTER);
  registerLogin(program);
  registerProjects(program);
  registerServices(program);
  registerEnv(program);
  registerDomains(program);
  registerOpen(program);
  registerServers(program);
  registerDeploy(program);
  registerDeployments(program);
  registerCancel(program);
  registerLogs(program);
  registerMetrics(program);
  registerConfig(program);
  return program;
}

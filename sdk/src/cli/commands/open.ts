import { spawn } from "node:child_process";
import type { Command } from "commander";
import { ConsoleUrlDocument } from "../../generated/graphql.js";
import { examples } from "../help.js";
import { findService } from "../lookup.js";
import { connect } from "../session.js";

export function registerOpen(program: Command): void {
  program
    .command("open")
    .description("Open a service's page in the web console (or print its address)")
    .argument("<project/service>", "e.g. shop/web")
    .option("--print", "only print the address")
    .addHelpText("after", examples("slipway open shop/web", "slipway open shop/web --print"))
    .action(async (path: string, options: { print?: boolean }) => {
      const client = await connect();
      const service = await findService(client, path);
      const base = (await client.request(ConsoleUrlDocument)).consoleUrl;
      const url = consolePageUrl(base, service.project.name, service.name);
      process.stdout.write(`${url}\n`);
      // Only a person at a terminal wants a browser; scripts get the address.
      if (!options.print && process.stdout.isTTY) openInBrowser(url);
    });
}

/** The console's address of a service's page (by names, as the console's addresses are). Pure. */
export function consolePageUrl(consoleUrl: string, project: string, service: string): string {
  return new URL(`/projects/${encodeURIComponent(project)}/services/${encodeURIComponent(service)}`, consoleUrl).toString();
}

function openInBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  spawn(command, [url], { stdio: "ignore", detached: true }).on("error", () => undefined).unref();
}

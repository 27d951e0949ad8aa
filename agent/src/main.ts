// Entry point: read the config, serve on loopback, stop cleanly on SIGTERM.
import { buildAgent } from "./app.js";
import { configPath, loadConfig } from "./config.js";
import { AGENT_VERSION } from "./version.js";

async function main(argv: string[]): Promise<void> {
  if (argv.includes("--version")) {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return;
  }
  const path = configPath();
  const config = await loadConfig(path);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const agent = buildAgent({ config, log });
  const { port } = await agent.start();
  log(`slipway-agent ${AGENT_VERSION} listening on 127.0.0.1:${port} (config ${path})`);
  const stop = (signal: string) => {
    log(`${signal}: stopping`);
    void agent.stop().then(() => process.exit(0));
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`slipway-agent: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});

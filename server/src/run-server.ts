import { setFlagsFromString } from "node:v8";
import { buildApp, type App, type AppOptions } from "./app.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createLogger } from "./logger.js";

/** Exit status of a start refused for its configuration (sysexits' EX_CONFIG): restarting will not help. */
export const EXIT_CONFIG = 78;

// Beyond the grace period, the rest of a stop (hand-over, closing connections) gets this long.
const STOP_MARGIN_MS = 15_000;

/**
 * The control plane as a process: reads the environment, starts, prints the setup token, and on
 * SIGTERM or SIGINT stops gracefully (no new jobs, running ones finish within
 * SLIPWAY_SHUTDOWN_GRACE_SECONDS, the rest handed over) and exits. A refused configuration is one
 * line on stderr and exit status 78, without a stack trace.
 */
export async function runServer(options: Omit<AppOptions, "log"> = {}): Promise<App> {
  // Prisma's query compiler is 3.4 MB of WebAssembly. V8's optimising tier for it keeps about
  // 70 MB resident for no gain a control plane notices; its baseline compiler (Liftoff) is
  // enough. Set before the first database client compiles it (measured in bench/cluster-memory.ts).
  setFlagsFromString("--liftoff-only");
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) exitWith(error.message, EXIT_CONFIG);
    throw error;
  }
  const log = createLogger(config.logLevel);
  let app: App;
  try {
    app = await buildApp(config, { ...options, log });
    await app.start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      exitWith(`Slipway could not start: ${config.host}:${config.port} is already in use (set PORT to another port)`, 1);
    }
    log.fatal({ err: error }, "Slipway could not start");
    process.exit(1);
  }
  // instanceId is the ownerId of the operations this replica runs: which process to look at for one.
  log.info({ url: app.url, instanceId: app.deps.instanceId }, "Slipway API listening; GraphiQL is served at the same address");
  if (app.setupToken) {
    // Shown once, on the terminal of whoever started Slipway; only its hash is stored.
    console.log(
      `\nNo admin exists yet. Open ${config.consoleUrl}/setup and use this one-time setup token:\n\n    ${app.setupToken}\n`,
    );
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A terminal's Ctrl-C also reaches us through npm/turbo: the same stop, once.
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceSeconds: config.shutdownGraceMs / 1000 }, "stopping: no new jobs; running operations may finish within the grace period");
    setTimeout(() => {
      log.error("the stop took too long; exiting");
      process.exit(1);
    }, config.shutdownGraceMs + STOP_MARGIN_MS).unref();
    app.stop().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, "unclean stop");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  return app;
}

function exitWith(message: string, status: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

import { buildApp } from "./app.js";
import { loadConfig } from "./config.js";

const app = await buildApp(loadConfig());
await app.start();
app.deps.log.info({ url: app.url }, "Slipway API listening; GraphiQL is served at the same address");
if (app.setupToken) {
  // Shown once, on the terminal of whoever started Slipway; only its hash is stored.
  console.log(
    `\nNo admin exists yet. Open ${app.deps.config.consoleUrl}/setup and use this one-time setup token:\n\n    ${app.setupToken}\n`,
  );
}

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    app.deps.log.info({ signal }, "stopping");
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.deps.log.error({ err: error }, "unclean stop");
        process.exit(1);
      },
    );
  });
}

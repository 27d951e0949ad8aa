// The API for the browser tests that deploy for real, run by tsx as its own process: the real
// control plane (HTTP + WebSocket, SQLite in a temp dir) with its DEFAULT servers' gateway (SSH to
// the agent, docker builds and nginx on the hosts) — nothing stood in — and lab hosts named
// `con-lab-<random>-<n>`, booted with the control plane's SSH key and adopted through the API, in
// the lab instance `con-lab` of this suite's own (torn down before the hosts boot and on stop).
// The lab's base images are used for generated Dockerfiles, so a static site builds offline. The
// instance's registry holds one image (built on the first host and pushed), for deploying an
// image reference. Prints one line `READY {json}` when it answers (the hosts adopted). On SIGTERM
// it stops the server and tears its lab instance down.
import { randomBytes } from "node:crypto";

// Loaded by URL so the console's type check stays out of the server's sources (other compiler settings).
const fromServer = (file: string) => import(new URL(`../../../server/${file}`, import.meta.url).href);
const { startTestServer, ADMIN } = await fromServer("test/harness.ts");
const { adoptHosts, bootHosts, labBaseImagesEnv, LAB_NETWORK_ENV, labRegistry, newLab, pushTestImage } = await fromServer("test/e2e-support.ts");

const count = Math.max(1, Number(process.env.SLIPWAY_E2E_LAB_HOSTS ?? 2));
const suffix = randomBytes(3).toString("hex");
const names = Array.from({ length: count }, (_, i) => `con-lab-${suffix}-${i + 1}`);
const lab = newLab("con-lab");
const booted: string[] = [];
/** What is used of the server's test harness (loaded by URL, so untyped here). */
interface LabApiServer {
  url: string;
  dataDir: string;
  app: { deps: { connections: { identity(): { publicKey: string } } } };
  stop(): Promise<void>;
}
let server: LabApiServer | undefined;

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    await server?.stop().catch((error: Error) => console.error(`stopping the server: ${error.message}`));
    // The whole instance is this process's: its hosts, registry, bridge and rules all go.
    await lab.teardown().catch((error: Error) => console.error(`tearing the lab instance down: ${error.message}`));
  })();
  return stopping;
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void stop().finally(() => process.exit(0)));
}

try {
  const started = Date.now();
  // Leftovers of a crashed earlier run (only this suite uses the instance).
  await lab.teardown();
  server = await startTestServer(
    { ...labBaseImagesEnv(lab), ...LAB_NETWORK_ENV, SLIPWAY_CONSOLE_URL: process.env.SLIPWAY_CONSOLE_URL ?? "http://localhost:3000" },
    process.env.SLIPWAY_DATA_DIR,
  );
  const addresses: string[] = await bootHosts(lab, names, server!.app.deps.connections.identity().publicKey, booted);
  const hosts = await adoptHosts(server, names.map((name, i) => ({ lab: name, name, address: addresses[i]! })));
  const registry = await labRegistry(lab);
  const image = `${registry.address}/con/site:v4`;
  await pushTestImage(lab, names[0], image, {
    Dockerfile: 'FROM slipway-lab/busybox:latest\nRUN mkdir /www && echo "<h1>console lab site v4</h1>" > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n',
  });
  const ready = {
    url: server!.url,
    dataDir: server!.dataDir,
    admin: ADMIN,
    hosts: hosts.map(({ name, address, id }: { name: string; address: string; id: string }) => ({ name, address, id })),
    image,
    labRoot: lab.config.root,
    setUpMs: Date.now() - started,
  };
  console.log(`READY ${JSON.stringify(ready)}`);
} catch (error) {
  console.error(`the lab API did not start: ${(error as Error).stack ?? error}`);
  await stop();
  process.exit(1);
}

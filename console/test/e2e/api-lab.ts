// The API for the browser tests that deploy for real, run by tsx as its own process: the real
// control plane (HTTP + WebSocket, SQLite in a temp dir) with its DEFAULT servers' gateway (SSH to
// the agent, docker builds and nginx on the hosts) — nothing stood in — and lab hosts named
// `con-lab-<random>-<n>`, booted with the control plane's SSH key and adopted through the API.
// The lab's base images are used for generated Dockerfiles, so a static site builds offline.
// A throwaway registry on the lab bridge holds one image (built on the first host and pushed), for
// deploying an image reference. Prints one line `READY {json}` when it answers (the hosts adopted). On SIGTERM it stops the
// server and destroys only its own hosts (never the lab's teardown: others share the lab).
import { randomBytes } from "node:crypto";

// Loaded by URL so the console's type check stays out of the server's sources (other compiler settings).
const fromServer = (file: string) => import(new URL(`../../../server/${file}`, import.meta.url).href);
const { startTestServer, ADMIN } = await fromServer("test/harness.ts");
const { adoptHosts, bootHosts, LAB_BASE_IMAGES_ENV, newLab, pushTestImage, startRegistry } = await fromServer("test/e2e-support.ts");

const count = Math.max(1, Number(process.env.SLIPWAY_E2E_LAB_HOSTS ?? 2));
const suffix = randomBytes(3).toString("hex");
const names = Array.from({ length: count }, (_, i) => `con-lab-${suffix}-${i + 1}`);
const lab = newLab();
const booted: string[] = [];
let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
let registry: { address: string; stop(): Promise<void> } | undefined;

let stopping: Promise<void> | undefined;
function stop(): Promise<void> {
  stopping ??= (async () => {
    // The hosts first, and only those this process booted: nothing below may keep them alive.
    await Promise.all([
      server?.stop().catch((error: Error) => console.error(`stopping the server: ${error.message}`)),
      ...booted.map((name) => lab.destroy(name).catch((error: Error) => console.error(`destroying ${name}: ${error.message}`))),
    ]);
    // The registry shares this process group, so the group's SIGTERM has often ended it already;
    // its stop() would then wait for an exit that was already reported. Don't wait long.
    await Promise.race([registry?.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  })();
  return stopping;
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void stop().finally(() => process.exit(0)));
}

try {
  const started = Date.now();
  server = await startTestServer(LAB_BASE_IMAGES_ENV, process.env.SLIPWAY_DATA_DIR);
  const addresses: string[] = await bootHosts(lab, names, server!.app.deps.connections.identity().publicKey, booted);
  const hosts = await adoptHosts(server, names.map((name, i) => ({ lab: name, name, address: addresses[i]! })));
  // After a boot: the bridge (and its address) exists only once the lab is set up.
  registry = await startRegistry();
  const image = `${registry!.address}/con/site:v4`;
  await pushTestImage(lab, names[0], image, {
    Dockerfile: 'FROM slipway-lab/busybox:latest\nRUN mkdir /www && echo "<h1>console lab site v4</h1>" > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n',
  });
  const ready = {
    url: server!.url,
    dataDir: server!.dataDir,
    admin: ADMIN,
    hosts: hosts.map(({ name, address, id }: { name: string; address: string; id: string }) => ({ name, address, id })),
    image,
    setUpMs: Date.now() - started,
  };
  console.log(`READY ${JSON.stringify(ready)}`);
} catch (error) {
  console.error(`the lab API did not start: ${(error as Error).stack ?? error}`);
  await stop();
  process.exit(1);
}

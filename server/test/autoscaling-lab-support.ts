// The autoscaling scenario's set-up on the lab, shared by autoscaling-lab.test.ts and
// bench/autoscale.ts: the DigitalOcean simulator booting real lab hosts, the Cloudflare
// simulator (zone example.test, its CA trusted by the load generator), a control plane collecting
// and evaluating every 2 s, a snapshot made through the API, one adopted lab host, and a static
// site with its domain deployed to it. The hosts live in a lab instance of the caller's own, torn
// down before and by close().
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { startDigitalOceanSimulator, type DigitalOceanSimulator } from "@slipway/lab/digitalocean";
import { adoptHosts, bootHosts, createProjectAndService, deployArchive, follow, labBaseImagesEnv, LAB_NETWORK_ENV, newLab, setDomains, type AdoptedHost } from "./e2e-support.js";
import { tarGz } from "./fixtures/sources/archives.js";
import { gid, rawId, startTestServer, type TestServer } from "./harness.js";
import { CREATE_SNAPSHOT } from "./provisioning-support.js";

export const APP = "app.example.test";
export const page = (version: string) => `<h1>autoscaled ${version}</h1>\n`;

export interface AutoscaleLab {
  prefix: string;
  lab: ReturnType<typeof newLab>;
  doSim: DigitalOceanSimulator;
  cfSim: CloudflareSimulator;
  server: TestServer;
  adopted: AdoptedHost;
  /** Global ids. */
  serviceId: string;
  snapshotId: string;
  /** The A records of APP now (what DNS gives). */
  resolve(): string[];
  /** Deploys the page of `version` (an uploaded archive: built once, copied to the other servers) to the service's servers. */
  deploy(version: string): Promise<{ deploymentId: string; operationId: string }>;
  setPolicy(input: Record<string, unknown>): Promise<Record<string, any>>;
  /** Timings of the set-up, for the benchmark. */
  timings: Record<string, number>;
  close(): Promise<void>;
}

export interface AutoscaleLabOptions {
  /** The lab instance (its own hosts, bridge and registry). */
  instance: string;
  /** Lab host names start with it. */
  prefix: string;
  env?: Record<string, string>;
}

export async function startAutoscaleLab(options: AutoscaleLabOptions): Promise<AutoscaleLab> {
  const prefix = `${options.prefix}-${randomBytes(2).toString("hex")}`;
  const lab = newLab(options.instance);
  lab.preflight();
  await lab.teardown();
  const booted: string[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), `slipway-${options.prefix}-`));
  const doSim = await startDigitalOceanSimulator({ provider: lab, actionDelayMs: 100 });
  const cfSim = await startCloudflareSimulator({ zones: ["example.test"] });
  let server: TestServer | undefined;
  const close = async () => {
    await server?.stop().catch(() => undefined);
    await doSim.close().catch(() => undefined);
    await cfSim.close().catch(() => undefined);
    await lab.teardown().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const timings: Record<string, number> = {};
  try {
    server = await startTestServer(
      {
        ...labBaseImagesEnv(lab),
        ...LAB_NETWORK_ENV,
        SLIPWAY_DIGITALOCEAN_API_URL: doSim.url,
        SLIPWAY_CLOUDFLARE_API_URL: cfSim.url,
        SLIPWAY_METRICS_INTERVAL_SECONDS: "2",
        SLIPWAY_AUTOSCALE_INTERVAL_SECONDS: "2",
        SLIPWAY_AUTOSCALE_DNS_DRAIN_SECONDS: "3",
        ...options.env,
      },
      dataDir,
    );
    const s = server;
    for (const [provider, token] of [["DIGITALOCEAN", doSim.token], ["CLOUDFLARE", cfSim.token]] as const) {
      const set = await s.gql(`mutation($input: SetCredentialInput!) { setCredential(input: $input) { __typename } }`, { input: { provider, token } }, s.adminToken);
      if (set.data?.setCredential?.__typename !== "MutationSetCredentialSuccess") throw new Error(`setCredential ${provider}: ${JSON.stringify(set)}`);
    }

    let t0 = Date.now();
    const snapshot = await s.gql(CREATE_SNAPSHOT, { input: { name: `${prefix}-snap` } }, s.adminToken);
    if (!snapshot.data?.createSnapshot?.data) throw new Error(`createSnapshot: ${JSON.stringify(snapshot)}`);
    const snapshotEvents = await follow(s, snapshot.data.createSnapshot.data.id);
    if (snapshotEvents.at(-1)?.message !== "Succeeded") throw new Error(`snapshot: ${JSON.stringify(snapshotEvents.filter((e) => e.level !== "DEBUG").slice(-5))}`);
    const snapshotRow = await s.app.deps.db.snapshot.findFirstOrThrow({ where: { name: `${prefix}-snap` } });
    timings.snapshotMs = Date.now() - t0;

    t0 = Date.now();
    const adoptedName = `${prefix}-adopted`;
    const [address] = await bootHosts(lab, [adoptedName], s.app.deps.connections.identity().publicKey, booted);
    const [adopted] = await adoptHosts(s, [{ lab: adoptedName, name: adoptedName, address: address! }]);
    timings.adoptMs = Date.now() - t0;

    const serviceId = (await createProjectAndService(s, prefix, [{ name: "site", port: 8080 }])).services.site!;
    await setDomains(s, serviceId, [APP]);
    const deploy = async (version: string, serverIds?: string[]) => {
      const started = await deployArchive(s, serviceId, tarGz([{ path: "index.html", body: page(version) }]), `site-${version}.tar.gz`, serverIds);
      if (started.__typename !== "MutationDeploySuccess") throw new Error(`deploy ${version}: ${JSON.stringify(started)}`);
      return { deploymentId: rawId(started.data!.deployment.id), operationId: started.data!.operation.id };
    };
    t0 = Date.now();
    const first = await deploy("v1", [adopted!.id]);
    const events = await follow(s, first.operationId);
    if (events.at(-1)?.message !== "Succeeded") throw new Error(`deploy v1: ${JSON.stringify(events.filter((e) => e.level !== "DEBUG").slice(-6))}`);
    timings.firstDeployMs = Date.now() - t0;

    return {
      prefix,
      lab,
      doSim,
      cfSim,
      server: s,
      adopted: adopted!,
      serviceId,
      snapshotId: gid("Snapshot", snapshotRow.id),
      resolve: () =>
        [...cfSim.state.records.values()].flatMap((zone) => [...zone.values()]).filter((r) => r.type === "A" && r.name === APP).map((r) => String(r.content)).sort(),
      deploy,
      async setPolicy(input) {
        const result = await s.gql(
          `mutation($s: ID!, $input: AutoscalePolicyInput!) { setAutoscalePolicy(serviceId: $s, input: $input) {
            __typename ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`,
          { s: serviceId, input: { snapshotId: gid("Snapshot", snapshotRow.id), ...input } },
          s.adminToken,
        );
        return result.data?.setAutoscalePolicy ?? result;
      },
      timings,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

// Shared by the end-to-end tests and the benchmarks: real lab hosts adopted through the API, plain
// HTTP to each host's nginx by Host header, a request loop that counts failures, the lab
// instance's registry, and a look at what is on a host (containers, images, site files).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { DEFAULT_LAB_CONFIG, Lab, labBaseImages } from "@slipway/lab/hosts";
import { gid, rawId, type ApiClient, type Event } from "./harness.js";

const run = promisify(execFile);

/** The server setting that makes generated Dockerfiles start from a lab instance's base images. */
export function labBaseImagesEnv(lab: Lab): { SLIPWAY_BASE_IMAGES: string } {
  return { SLIPWAY_BASE_IMAGES: JSON.stringify(lab.baseImages()) };
}
/**
 * Lab hosts live on a private bridge: adopting them (and git on loopback) needs the admin setting
 * that lets Slipway reach private addresses, off by default.
 */
export const LAB_NETWORK_ENV = { SLIPWAY_ALLOW_PRIVATE_TARGETS: "1" };

/** The default lab instance's base images (suites of their own instance use labBaseImagesEnv). */
export const LAB_BASE_IMAGES_ENV = { SLIPWAY_BASE_IMAGES: JSON.stringify(labBaseImages(DEFAULT_LAB_CONFIG)) };

/**
 * A lab instance's hosts (the default lab without a name). A suite with an instance of its own
 * can tear all of it down before and after, and never meets another suite's hosts or registry.
 */
export function newLab(instance?: string): Lab {
  return new Lab(instance === undefined ? {} : { instance });
}

// ------------------------------------------------------------------ GraphQL documents

export const EVENTS = `subscription($id: ID!) { operationEvents(operationId: $id) { seq step level message serverId releaseState } }`;
export const ADOPT = `mutation($input: AdoptServerInput!) { adoptServer(input: $input) {
  __typename ... on MutationAdoptServerSuccess { data { id } } ... on Error { message } } }`;
export const DEPLOY = `mutation($input: DeployInput!, $archive: File) { deploy(input: $input, archive: $archive) {
  __typename ... on MutationDeploySuccess { data { deployment { id imageTag status } operation { id } } }
  ... on Error { message } ... on ValidationError { fieldErrors { path message } } } }`;
export const ROLLBACK = `mutation($id: ID!) { rollback(deploymentId: $id) {
  __typename ... on MutationRollbackSuccess { data { deployment { id imageTag } operation { id } } } ... on Error { message } } }`;
export const DEPLOYMENT = `query($id: ID!) { node(id: $id) { ... on Deployment { status error imageTag
  routedAt finishedAt targets { server { id name } state error } } } }`;

// ------------------------------------------------------------------ hosts and the API

export interface AdoptedHost {
  /** The lab host's name. */
  lab: string;
  /** The server's name in Slipway. */
  name: string;
  address: string;
  /** Global id of the server. */
  id: string;
}

/** Boots lab hosts in parallel trusting the control plane's public key. */
/**
 * A lab suite's end: stops the control plane, then tears its lab down even when the stop hangs
 * (hosts left running would slow every later suite), then fails with what the stop did wrong.
 */
export async function stopServerAndLab(server: { stop(): Promise<void> } | undefined, lab: Lab, stopWithinMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stopped = (server?.stop() ?? Promise.resolve()).then(
    () => null,
    (error: unknown) => error,
  );
  const hung = new Promise<Error>((resolve) => (timer = setTimeout(() => resolve(new Error(`the control plane did not stop within ${stopWithinMs / 1000} s`)), stopWithinMs)));
  const failure = await Promise.race([stopped, hung]).finally(() => clearTimeout(timer));
  await lab.teardown();
  if (failure) throw failure;
}

export async function bootHosts(lab: Lab, names: string[], publicKey: string, booted: string[]): Promise<string[]> {
  return Promise.all(
    names.map(async (name) => {
      booted.push(name);
      return (await lab.boot({ name, image: { id: "debian-12-x64", archivePath: null }, sshPublicKeys: [publicKey] })).ipv4;
    }),
  );
}

/** Adopts each host through the API (installing the agent over SSH) and waits for every one. */
export async function adoptHosts(server: ApiClient, hosts: { lab: string; name: string; address: string }[]): Promise<AdoptedHost[]> {
  return Promise.all(
    hosts.map(async (host) => {
      const result = await server.gql(ADOPT, { input: { name: host.name, host: host.address } }, server.adminToken);
      if (result.data?.adoptServer?.__typename !== "MutationAdoptServerSuccess") throw new Error(`adopt ${host.name}: ${JSON.stringify(result)}`);
      const events = await follow(server, result.data.adoptServer.data.id);
      if (events.at(-1)?.message !== "Succeeded") throw new Error(`adopt ${host.name}: ${JSON.stringify(events.at(-1))}`);
      return { ...host, id: await serverIdByName(server, host.name) };
    }),
  );
}

/** A server's global id, found by its name through the API. */
async function serverIdByName(server: ApiClient, name: string): Promise<string> {
  const result = await server.gql(`{ servers(first: 100) { edges { node { id name } } } }`, {}, server.adminToken);
  const found = (result.data?.servers?.edges as { node: { id: string; name: string } }[] | undefined)?.find((edge) => edge.node.name === name);
  if (!found) throw new Error(`no server named ${name}: ${JSON.stringify(result)}`);
  return found.node.id;
}

/** Follows an operation to its end over the real subscription; calls onEvent for each event as it comes. */
export async function follow(server: ApiClient, operationId: string, onEvent?: (event: Event) => void): Promise<Event[]> {
  const events: Event[] = [];
  const client = server.ws(server.adminToken);
  const result = await new Promise<{ errors: unknown[] }>((resolve) => {
    const errors: unknown[] = [];
    client.subscribe<{ operationEvents: Event }>(
      { query: EVENTS, variables: { id: operationId } },
      {
        next: (value) => {
          if (value.errors) return void errors.push(...value.errors);
          const event = value.data!.operationEvents;
          events.push(event);
          onEvent?.(event);
        },
        error: (error) => {
          errors.push(error);
          resolve({ errors });
        },
        complete: () => resolve({ errors }),
      },
    );
  });
  await client.dispose();
  if (result.errors.length) throw new Error(`subscription failed: ${JSON.stringify(result.errors)}`);
  return events;
}

export async function createProjectAndService(
  server: ApiClient,
  project: string,
  services: { name: string; port?: number; healthCheckPath?: string; healthCheckTimeoutSeconds?: number }[],
): Promise<{ projectId: string; services: Record<string, string> }> {
  const created = await server.gql(
    `mutation($name: String!) { createProject(input: {name: $name}) { __typename ... on MutationCreateProjectSuccess { data { id } } ... on Error { message } } }`,
    { name: project },
    server.adminToken,
  );
  const projectId = created.data?.createProject?.data?.id;
  if (!projectId) throw new Error(`createProject: ${JSON.stringify(created)}`);
  const ids: Record<string, string> = {};
  for (const service of services) {
    const result = await server.gql(
      `mutation($input: CreateServiceInput!) { createService(input: $input) { __typename ... on MutationCreateServiceSuccess { data { id } } ... on Error { message } } }`,
      { input: { projectId, ...service } },
      server.adminToken,
    );
    const id = result.data?.createService?.data?.id;
    if (!id) throw new Error(`createService ${service.name}: ${JSON.stringify(result)}`);
    ids[service.name] = id;
  }
  return { projectId, services: ids };
}

export async function setEnv(server: ApiClient, serviceId: string, vars: { key: string; value: string; secret?: boolean }[]): Promise<void> {
  const result = await server.gql(
    `mutation($s: ID!, $v: [EnvVarInput!]!) { setServiceEnv(serviceId: $s, vars: $v) { __typename ... on Error { message } } }`,
    { s: serviceId, v: vars },
    server.adminToken,
  );
  if (result.data?.setServiceEnv?.__typename !== "MutationSetServiceEnvSuccess") throw new Error(`setServiceEnv: ${JSON.stringify(result)}`);
}

/** Replaces a service's host names (`setDomains`; `setServiceDomains` in older schemas). */
export async function setDomains(server: ApiClient, serviceId: string, hostnames: string[]): Promise<void> {
  for (const field of ["setDomains", "setServiceDomains"]) {
    const result = await server.gql(
      `mutation($s: ID!, $h: [String!]!) { ${field}(serviceId: $s, hostnames: $h) { __typename ... on Error { message } } }`,
      { s: serviceId, h: hostnames },
      server.adminToken,
    );
    if (result.errors?.[0]?.extensions?.code === "GRAPHQL_VALIDATION_FAILED") continue;
    const typename = result.data?.[field]?.__typename as string | undefined;
    if (!typename?.endsWith("Success")) throw new Error(`${field}: ${JSON.stringify(result)}`);
    return;
  }
  throw new Error("the schema has neither setDomains nor setServiceDomains");
}

export interface Started {
  __typename: string;
  message?: string;
  fieldErrors?: { path: string[]; message: string }[];
  data?: { deployment: { id: string; imageTag: string; status: string }; operation: { id: string } };
}

/** deploy with a JSON body (IMAGE or GIT sources). */
export async function deploySource(server: ApiClient, serviceId: string, source: Record<string, unknown>, serverIds?: string[]): Promise<Started> {
  const result = await server.gql(DEPLOY, { input: { serviceId, source, ...(serverIds ? { serverIds } : {}) } }, server.adminToken);
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.deploy;
}

/** deploy with an uploaded archive: GraphQL multipart, as the console and the CLI send it. */
export async function deployArchive(server: ApiClient, serviceId: string, archive: Buffer, filename: string, serverIds?: string[]): Promise<Started> {
  const form = new FormData();
  const input = { serviceId, source: { type: "ARCHIVE" }, ...(serverIds ? { serverIds } : {}) };
  form.set("operations", JSON.stringify({ query: DEPLOY, variables: { input, archive: null } }));
  form.set("map", JSON.stringify({ 0: ["variables.archive"] }));
  form.set("0", new Blob([new Uint8Array(archive)]), filename);
  const response = await fetch(server.url, { method: "POST", headers: { authorization: `Bearer ${server.adminToken}` }, body: form });
  const body = (await response.json()) as { data: { deploy: Started } | null; errors?: unknown };
  if (!body.data) throw new Error(JSON.stringify(body.errors));
  return body.data.deploy;
}

export async function rollback(server: ApiClient, deploymentId: string): Promise<Started> {
  const result = await server.gql(ROLLBACK, { id: deploymentId }, server.adminToken);
  return result.data.rollback;
}

export async function deploymentState(server: ApiClient, id: string) {
  return (await server.gql(DEPLOYMENT, { id }, server.adminToken)).data.node as {
    status: string;
    error: string | null;
    imageTag: string;
    routedAt: string | null;
    finishedAt: string | null;
    targets: { server: { id: string; name: string }; state: string; error: string | null }[];
  };
}

// ------------------------------------------------------------------ HTTP to a host's nginx

export interface Answer {
  status: number;
  body: string;
}

/** GET http://<address>:80<path> with a Host header: what a browser behind DNS would send. */
export function get(address: string, hostHeader: string, pathname = "/", timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: address, port: 80, path: pathname, method: "GET", headers: { host: hostHeader }, agent: false, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
    request.end();
  });
}

/** GET https://<servername>/ at `address` (SNI and Host: servername), trusting `ca` only when given. */
export function httpsGet(address: string, servername: string, ca?: string, timeoutMs = 5_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.get(
      { host: address, port: 443, path: "/", servername, headers: { host: servername }, agent: false, timeout: timeoutMs, ...(ca ? { ca } : {}) },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
  });
}

/** Polls until every host answers 200 with a body matching; returns the bodies. */
export async function waitServing(addresses: string[], hostHeader: string, expected: RegExp, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(addresses.map((a) => get(a, hostHeader).catch((e: Error) => ({ status: 0, body: e.message }))));
    if (answers.every((a) => a.status === 200 && expected.test(a.body))) return answers.map((a) => a.body);
    if (Date.now() > deadline) throw new Error(`not serving ${expected} by ${hostHeader}: ${JSON.stringify(answers)}`);
    await sleep(100);
  }
}

export interface LoadReport {
  requests: number;
  failed: number;
  /** How many answers each distinct body got (trimmed). */
  bodies: Record<string, number>;
  failures: string[];
}

/**
 * Sends requests back to back to each address (one loop per address, a new connection each) until
 * stopped. A failure is anything but a 200 whose body `accept` takes: an error, a timeout, a 502.
 */
export function startLoad(addresses: string[], hostHeader: string, accept: (body: string) => boolean = () => true): { stop(): Promise<LoadReport> } {
  const report: LoadReport = { requests: 0, failed: 0, bodies: {}, failures: [] };
  let running = true;
  const loops = addresses.map(async (address) => {
    while (running) {
      report.requests++;
      try {
        const answer = await get(address, hostHeader, "/", 10_000);
        const body = answer.body.trim();
        report.bodies[body] = (report.bodies[body] ?? 0) + 1;
        if (answer.status !== 200 || !accept(answer.body)) {
          report.failed++;
          if (report.failures.length < 20) report.failures.push(`${address}: ${answer.status} ${body.slice(0, 200)}`);
        }
      } catch (error) {
        report.failed++;
        if (report.failures.length < 20) report.failures.push(`${address}: ${(error as Error).message}`);
      }
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return report;
    },
  };
}

// ------------------------------------------------------------------ what is on a host

/** The docker CLI against one lab host's engine (from the machine, through its socket). */
export async function hostDocker(lab: Lab, host: string, args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run("/usr/bin/docker", ["-H", `unix://${lab.host(host).dockerSocket}`, ...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Every container on the host: name, image, state (sorted lines). */
export async function containersOn(lab: Lab, host: string): Promise<string[]> {
  const out = await hostDocker(lab, host, ["ps", "--all", "--no-trunc", "--format", "{{.Names}} {{.Image}} {{.State}} {{.ID}}"]);
  return out.split("\n").filter(Boolean).sort();
}

/** The Slipway-managed images of a service on the host: their tags (sorted). */
export async function imageTagsOn(lab: Lab, host: string, service: string): Promise<string[]> {
  const out = await hostDocker(lab, host, [
    "image", "ls", "--filter", "label=dev.slipway.managed=true", "--filter", `label=dev.slipway.service=${service}`, "--format", "{{.Repository}}:{{.Tag}}",
  ]);
  return out.split("\n").filter((line) => line && !line.endsWith(":<none>")).sort();
}

/** nginx's per-service site files on the host: file name -> contents. */
export function siteFilesOn(lab: Lab, host: string): Record<string, string> {
  const dir = path.join(lab.host(host).fs, "etc/nginx/conf.d");
  const files: Record<string, string> = {};
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(path.join(dir, name), "utf8");
  return files;
}

// ------------------------------------------------------------------ the lab instance's registry

export interface Registry {
  address: string;
}

/**
 * The lab instance's registry (Debian's docker-registry on its gateway, which every host trusts
 * over plain HTTP): ready once the lab is set up or has booted a host.
 */
export async function labRegistry(lab: Lab): Promise<Registry> {
  const address = lab.registry;
  const answers = await fetch(`http://${address}/v2/`).then((r) => r.ok, () => false);
  if (!answers) throw new Error(`the lab registry does not answer on ${address}: set the lab up (or boot a host) first`);
  return { address };
}

/** Builds a tiny web image on a lab host from a Dockerfile and pushes it to the registry. */
export async function pushTestImage(lab: Lab, host: string, reference: string, files: Record<string, string>): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "slipway-image-"));
  try {
    for (const [name, contents] of Object.entries(files)) writeFileSync(path.join(dir, name), contents);
    await hostDocker(lab, host, ["build", "--quiet", "--tag", reference, dir]);
    await hostDocker(lab, host, ["push", "--quiet", reference]);
    // The pushing host must pull it like the others would, not find it locally.
    await hostDocker(lab, host, ["image", "rm", reference]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ------------------------------------------------------------------ apps

/** A Node app without a Dockerfile: package.json with a start script, no dependencies. */
export function nodeApp(version: string, options: { healthy?: boolean; listenAfterMs?: number } = {}): { path: string; body: string }[] {
  const server = `const http = require("node:http");
const VERSION = ${JSON.stringify(version)};
const server = http.createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(${options.healthy === false ? 500 : 200}, { "content-type": "text/plain" });
    return res.end(${options.healthy === false ? '"broken\\n"' : '"ok\\n"'});
  }
  res.writeHead(200, { "content-type": "text/plain" });
  res.end("version=" + VERSION + " greeting=" + process.env.GREETING + " secret=" + (process.env.API_KEY ? "set" : "unset") + "\\n");
});
setTimeout(() => server.listen(Number(process.env.PORT), "0.0.0.0"), ${options.listenAfterMs ?? 0});
`;
  return [
    { path: "package.json", body: JSON.stringify({ name: "e2e-web", version: "1.0.0", private: true, scripts: { start: "node server.js" } }, null, 2) },
    { path: "server.js", body: server },
  ];
}

export { gid, rawId, type Event };

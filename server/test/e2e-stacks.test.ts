// Every stack Slipway generates Dockerfiles for, proven on real lab hosts (no Dockerfile in any
// source): a Python app on the standard library, a Python app with a requirements.txt, a Go web
// server fetched from a git repository, a Node app with npm dependencies and a build step, and a
// static site. Each is built once on one host from the lab's base images (Debian's Python and Go,
// the machine's Node with npm, busybox), copied to the second, passes its own health check on the
// port the generated Dockerfile gives it, and is served by nginx by Host header and over HTTPS
// with its domain. Generated builds that cannot work fail with the fix named.
//
// What a lab build can fetch: the npm registry (by NAT through this machine) and the lab's own
// registry and servers; PyPI is not reachable from this machine, so the requirements.txt here
// points pip at a package index served on the lab bridge (as a private index would be).
// The hosts live in a lab instance of this suite's own. Needs root, the lab's packages and git.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { startCloudflareSimulator, type CloudflareSimulator } from "@slipway/lab/cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tarGz, zipBuffer } from "./fixtures/sources/archives.js";
import { makeRepository, commit, startGitDaemon, type GitServer } from "./fixtures/sources/git-server.js";
import { startTestServer, type TestServer } from "./harness.js";
import {
  adoptHosts,
  bootHosts,
  createProjectAndService,
  deployArchive,
  deploySource,
  deploymentState,
  follow,
  hostDocker,
  httpsGet,
  labBaseImagesEnv,
  LAB_NETWORK_ENV,
  newLab,
  rawId,
  setDomains,
  waitServing,
  type AdoptedHost,
  type Event,
  type Started,
} from "./e2e-support.js";

const suffix = randomBytes(3).toString("hex");
const LAB_NAMES = ["a", "b"].map((n) => `stk-${n}-${suffix}`);
const lab = newLab("srv-e2e-stacks");
const ZONE = "example.test";
let server: TestServer;
let sim: CloudflareSimulator;
let git: GitServer;
let pypi: http.Server;
let pypiUrl: string;
let dataDir: string;
let hosts: AdoptedHost[];
let ids: Record<string, string>;

/** Each stack: its service, port, health check path and domain. */
const STACKS = {
  py: { port: 8000, healthCheckPath: "/health" },
  pyreq: { port: 8001, healthCheckPath: "/health" },
  go: { port: 8080, healthCheckPath: "/healthz" },
  node: { port: 3000, healthCheckPath: "/ready" },
  site: { port: 8081, healthCheckPath: "/" },
  broken: { port: 3000, healthCheckPath: "/" },
} as const;
const domain = (service: string) => `${service}.stacks.${ZONE}`;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), "slipway-stacks-"));
  await lab.teardown();
  sim = await startCloudflareSimulator({ zones: [ZONE] });
  makeRepository(path.join(dataDir, "repos"), "hello-go", (work) => void commit(work, "a Go web server", GO_APP));
  git = await startGitDaemon(path.join(dataDir, "repos"));
  server = await startTestServer(
    { ...labBaseImagesEnv(lab), ...LAB_NETWORK_ENV, SLIPWAY_CLOUDFLARE_API_URL: sim.url, SLIPWAY_ALLOW_INSECURE_GIT: "1" },
    dataDir,
  );
  const addresses = await bootHosts(lab, LAB_NAMES, server.app.deps.connections.identity().publicKey, []);
  // After a boot: the bridge holds the gateway address the package index listens on.
  ({ server: pypi, url: pypiUrl } = await startPackageIndex(`${lab.config.subnet}.1`));
  hosts = await adoptHosts(server, LAB_NAMES.map((labName, i) => ({ lab: labName, name: `stk-${i + 1}`, address: addresses[i]! })));
  ids = (await createProjectAndService(server, "stacks", Object.entries(STACKS).map(([name, s]) => ({ name, ...s })))).services;
  const credential = await server.gql(
    `mutation($input: SetCredentialInput!) { setCredential(input: $input) { __typename } }`,
    { input: { provider: "CLOUDFLARE", token: sim.token } },
    server.adminToken,
  );
  expect(credential.data.setCredential.__typename).toBe("MutationSetCredentialSuccess");
  for (const service of ["py", "pyreq", "go", "node", "site"]) await setDomains(server, ids[service]!, [domain(service)]);
}, 300_000);

afterAll(async () => {
  await server?.stop();
  await sim?.close();
  await git?.stop();
  await new Promise((resolve) => (pypi ? pypi.close(resolve) : resolve(undefined)));
  await lab.teardown();
  rmSync(dataDir, { recursive: true, force: true });
}, 120_000);

const serverIds = () => hosts.map((h) => h.id);
const addresses = () => hosts.map((h) => h.address);

async function deployed(started: Started): Promise<Event[]> {
  expect(started.__typename, JSON.stringify(started)).toBe("MutationDeploySuccess");
  const events = await follow(server, started.data!.operation.id);
  expect(events.at(-1), JSON.stringify(events.filter((e) => e.level !== "DEBUG").slice(-8))).toMatchObject({ step: "finished", message: "Succeeded" });
  return events;
}

/** Built once from a generated Dockerfile of `kind`, copied to the other host, healthy on both by its own check. */
async function expectBuiltOnceAndHealthy(service: keyof typeof STACKS, kind: string, events: Event[]): Promise<void> {
  expect(events.filter((e) => e.step === "build" && e.level === "INFO" && e.message.includes(`generated Dockerfile for ${kind}`))).toHaveLength(1);
  expect(events.filter((e) => e.step === "image" && e.message.startsWith("Copying"))).toHaveLength(1);
  const healthy = events.filter((e) => e.releaseState === "HEALTHY");
  expect(healthy.map((e) => e.serverId).sort()).toEqual(serverIds().sort());
  for (const e of healthy) expect(e.message).toContain(`answered GET ${STACKS[service].healthCheckPath}`);
  // The port the generated Dockerfile gives the app is the service's, in PORT and EXPOSE.
  const tag = (await server.app.deps.db.deployment.findFirstOrThrow({ where: { serviceId: rawId(ids[service]!) }, orderBy: { createdAt: "desc" } })).imageTag;
  for (const host of hosts) {
    const config = JSON.parse(await hostDocker(lab, host.lab, ["image", "inspect", "--format", "{{json .Config}}", tag])) as { Env: string[]; ExposedPorts: Record<string, unknown> };
    expect(config.Env).toContain(`PORT=${STACKS[service].port}`);
    expect(Object.keys(config.ExposedPorts)).toEqual([`${STACKS[service].port}/tcp`]);
  }
}

/** Served by nginx on every host by Host header, and over HTTPS with its domain (lab CA). */
async function expectServed(service: string, body: RegExp): Promise<void> {
  await waitServing(addresses(), `${service}.stacks.slipway.internal`, body);
  await waitServing(addresses(), domain(service), body);
  for (const address of addresses()) {
    const answer = await httpsGet(address, domain(service), sim.caCertPem);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(body);
  }
}

describe("every stack, built once and served on every host", { timeout: 300_000 }, () => {
  it("Python on the standard library", async () => {
    const events = await deployed(await deployArchive(server, ids.py!, tarGz(PY_APP), "py.tar.gz", serverIds()));
    await expectBuiltOnceAndHealthy("py", "python", events);
    await expectServed("py", /^python 3\.11 stdlib$/m);
  });

  it("Python with a requirements.txt, installed by pip from a package index in the lab", async () => {
    const events = await deployed(await deployArchive(server, ids.pyreq!, tarGz(pyReqApp(pypiUrl)), "pyreq.tar.gz", serverIds()));
    await expectBuiltOnceAndHealthy("pyreq", "python", events);
    await expectServed("pyreq", /^hello from a wheel$/m);
  });

  it("Go from a git repository served in the lab: built in the toolchain image, run in the static one", async () => {
    const events = await deployed(await deploySource(server, ids.go!, { type: "GIT", repository: git.url("hello-go.git"), ref: "main" }, serverIds()));
    expect(events.find((e) => e.step === "build" && e.level === "INFO")?.message).toMatch(/commit [0-9a-f]{12}, a generated Dockerfile for go/);
    await expectBuiltOnceAndHealthy("go", "go", events);
    await expectServed("go", /^go go1\.19\.\d+ uid=65532$/m);
  });

  it("Node with npm dependencies and a build step (dev dependencies pruned afterwards)", async () => {
    const events = await deployed(await deployArchive(server, ids.node!, tarGz(NODE_APP), "node.tar.gz", serverIds()));
    await expectBuiltOnceAndHealthy("node", "node", events);
    await expectServed("node", /^built=yes ms=2h is-number=pruned$/m);
  });

  it("a static site", async () => {
    const events = await deployed(await deployArchive(server, ids.site!, tarGz([{ path: "index.html", body: "<h1>static stack</h1>\n" }]), "site.tar.gz", serverIds()));
    await expectBuiltOnceAndHealthy("site", "static", events);
    await expectServed("site", /<h1>static stack<\/h1>/);
  });
});

describe("generated builds that cannot work say what to change", { timeout: 120_000 }, () => {
  it("an app without anything to start is refused at once, naming the start script", async () => {
    const refused = await deployArchive(server, ids.broken!, tarGz([{ path: "package.json", body: JSON.stringify({ name: "x" }) }]), "x.tar.gz", serverIds());
    expect(refused.__typename).toBe("ValidationError");
    expect(refused.message).toMatch(/add a "start" script to package\.json \(or a Dockerfile\)/);
  });

  it("an app listening on another port than PORT fails naming PORT, not as a bare health-check timeout", async () => {
    await server.app.deps.db.service.update({ where: { id: rawId(ids.broken!) }, data: { healthCheckTimeoutSeconds: 5 } });
    const started = await deployArchive(server, ids.broken!, tarGz(WRONG_PORT_APP), "wrong-port.tar.gz", serverIds());
    expect(started.__typename).toBe("MutationDeploySuccess");
    const events = await follow(server, started.data!.operation.id);
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR" });
    const state = await deploymentState(server, started.data!.deployment.id);
    expect(state.status).toBe("FAILED");
    for (const target of state.targets) {
      expect(target.error).toMatch(/^Nothing answered on port 3000, where the generated Dockerfile tells the app to listen \(PORT=3000\): make the app listen on the PORT environment variable/);
      expect(target.error).toContain("or add a Dockerfile");
    }
  });

  it("an app whose start command fails says so, with its last log lines", async () => {
    const started = await deployArchive(server, ids.broken!, tarGz(CRASHING_APP), "crash.tar.gz", serverIds());
    const events = await follow(server, started.data!.operation.id);
    expect(events.at(-1)).toMatchObject({ step: "finished", level: "ERROR" });
    const state = await deploymentState(server, started.data!.deployment.id);
    for (const target of state.targets) {
      expect(target.error).toMatch(/^The app stopped before it answered on port 3000: check the "start" script \(or main\) in package\.json/);
      expect(target.error).toContain("missing configuration file");
    }
  });
});

// ------------------------------------------------------------------ the apps

const PY_APP = [
  // Only comments: the generated Dockerfile installs nothing and runs python app.py.
  { path: "requirements.txt", body: "# standard library only\n" },
  {
    path: "app.py",
    body: `import os, sys
from http.server import BaseHTTPRequestHandler, HTTPServer

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"ok\\n" if self.path == "/health" else f"python {sys.version_info[0]}.{sys.version_info[1]} stdlib\\n".encode()
        self.send_response(200)
        self.send_header("content-type", "text/plain")
        self.end_headers()
        self.wfile.write(body)

HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
`,
  },
];

function pyReqApp(index: string) {
  const host = new URL(index).hostname;
  return [
    { path: "requirements.txt", body: `--index-url ${index}\n--trusted-host ${host}\ngreeting==1.0\n` },
    {
      path: "app.py",
      body: `import os
from http.server import BaseHTTPRequestHandler, HTTPServer
from greeting import hello

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write((hello() + "\\n").encode())

HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
`,
    },
  ];
}

const GO_APP = {
  "go.mod": "module example.test/hello\n\ngo 1.19\n",
  "main.go": `package main

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
)

func main() {
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "go %s uid=%d\\n", runtime.Version(), os.Getuid())
	})
	if err := http.ListenAndServe(":"+os.Getenv("PORT"), nil); err != nil {
		panic(err)
	}
}
`,
};

const NODE_APP = [
  {
    path: "package.json",
    body: JSON.stringify({
      name: "stack-node",
      version: "1.0.0",
      private: true,
      scripts: { build: "node build.js", start: "node server.js" },
      dependencies: { ms: "2.1.3" },
      devDependencies: { "is-number": "7.0.0" },
    }),
  },
  // The build uses a dev dependency; the app a runtime one.
  { path: "build.js", body: `const isNumber = require("is-number");\nrequire("fs").mkdirSync("dist", { recursive: true });\nrequire("fs").writeFileSync("dist/built.txt", isNumber(7) ? "yes" : "no");\n` },
  {
    path: "server.js",
    body: `const http = require("node:http");
const ms = require("ms");
const built = require("fs").readFileSync("dist/built.txt", "utf8");
let devDependency = "pruned";
try { require.resolve("is-number"); devDependency = "present"; } catch {}
http.createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/plain" });
  res.end(req.url === "/ready" ? "ok\\n" : "built=" + built + " ms=" + ms(7200000) + " is-number=" + devDependency + "\\n");
}).listen(Number(process.env.PORT), "0.0.0.0");
`,
  },
];

const WRONG_PORT_APP = [
  { path: "package.json", body: JSON.stringify({ name: "wrong-port", scripts: { start: "node server.js" } }) },
  { path: "server.js", body: `require("node:http").createServer((req, res) => res.end("ok")).listen(9999, "0.0.0.0");\n` },
];

const CRASHING_APP = [
  { path: "package.json", body: JSON.stringify({ name: "crash", scripts: { start: "node server.js" } }) },
  { path: "server.js", body: `console.error("missing configuration file /app/config.json");\nprocess.exit(1);\n` },
];

// ------------------------------------------------------------------ a package index in the lab

/** A pure-Python wheel of `greeting` 1.0 (the RECORD holds each file's sha256, as pip checks). */
function greetingWheel(): Buffer {
  const files: Record<string, string> = {
    "greeting/__init__.py": 'def hello():\n    return "hello from a wheel"\n',
    "greeting-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: greeting\nVersion: 1.0\n",
    "greeting-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: slipway-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
  };
  const record = Object.entries(files)
    .map(([name, body]) => `${name},sha256=${createHash("sha256").update(body).digest("base64url")},${Buffer.byteLength(body)}`)
    .concat(["greeting-1.0.dist-info/RECORD,,", ""])
    .join("\n");
  return zipBuffer([...Object.entries(files).map(([name, body]) => ({ name, body })), { name: "greeting-1.0.dist-info/RECORD", body: record }]);
}

/** A PEP 503 "simple" index serving that one wheel, on the lab gateway (hosts reach it; nothing else). */
async function startPackageIndex(address: string): Promise<{ server: http.Server; url: string }> {
  const wheel = greetingWheel();
  const wheelName = "greeting-1.0-py3-none-any.whl";
  const sha = createHash("sha256").update(wheel).digest("hex");
  const index = http.createServer((req, res) => {
    if (req.url === "/simple/greeting/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end(`<!DOCTYPE html><html><body><a href="/files/${wheelName}#sha256=${sha}">${wheelName}</a></body></html>\n`);
    }
    if (req.url === `/files/${wheelName}`) {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      return res.end(wheel);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => index.listen(0, address, resolve));
  return { server: index, url: `http://${address}:${(index.address() as AddressInfo).port}/simple/` };
}

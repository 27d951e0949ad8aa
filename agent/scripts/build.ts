// Bundles the agent into one file (dist/slipway-agent.mjs) that needs only node on a server.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { AGENT_BUNDLE_FILE } from "../src/layout.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * dockerode pulls in SSH transport (ssh2, with native parts) and BuildKit sessions (gRPC,
 * protobuf) at require time; the agent uses neither (it talks to the local socket, classic
 * builder), so they become empty modules: a smaller bundle and less memory at idle.
 */
const UNUSED = ["ssh2", "@grpc/grpc-js", "@grpc/proto-loader", "protobufjs"];
const stubUnused: Plugin = {
  name: "stub-unused",
  setup(b) {
    const filter = new RegExp(`^(${UNUSED.map((m) => m.replace(/[/.]/g, "\\$&")).join("|")})$`);
    b.onResolve({ filter }, (a) => ({ path: a.path, namespace: "stub-unused" }));
    b.onLoad({ filter: /.*/, namespace: "stub-unused" }, () => ({ contents: "module.exports = {};", loader: "js" }));
  },
};

export async function buildAgentBundle(): Promise<{ path: string; version: string; bytes: number }> {
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  const outfile = join(root, "dist", AGENT_BUNDLE_FILE);
  const result = await build({
    entryPoints: [join(root, "src", "main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    keepNames: true,
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    plugins: [stubUnused],
    define: { __SLIPWAY_AGENT_VERSION__: JSON.stringify(version) },
    // dockerode and its dependencies are CommonJS and call require() for node built-ins.
    banner: { js: "import { createRequire as __slipwayCreateRequire } from 'node:module';\nconst require = __slipwayCreateRequire(import.meta.url);" },
  });
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  return { path: outfile, version, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildAgentBundle();
  console.log(`built ${r.path} (agent ${r.version}, ${(r.bytes / 1024).toFixed(0)} KiB)`);
}

// Compiles the control plane to JavaScript for production (`npm run build -w @slipway/server`):
// src/main.ts and the workspace packages it imports (their exports are TypeScript) become
// dist/main.js plus chunks for what loads on demand (the PostgreSQL client, the Redis parts);
// npm packages stay external and load from node_modules as usual.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Bundles our own workspaces (`@slipway/*`, TypeScript) and leaves every npm package external. */
const npmPackagesExternal: Plugin = {
  name: "npm-packages-external",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith("@slipway/") ? undefined : { path: args.path, external: true }));
  },
};

export interface ServerBuild {
  /** Entry files, each becoming `<outdir>/<name>.js`. */
  entryPoints?: Record<string, string>;
  outdir?: string;
}

/**
 * Builds the server (by default src/main.ts into dist/). Benchmarks reuse it to compile an entry
 * of their own; the outdir must sit inside the repository so node_modules resolve from it.
 */
export async function buildServer(options: ServerBuild = {}): Promise<{ outdir: string; bytes: number }> {
  const outdir = options.outdir ?? path.join(serverDir, "dist");
  rmSync(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: options.entryPoints ?? { main: path.join(serverDir, "src", "main.ts") },
    outdir,
    bundle: true,
    splitting: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: "linked",
    legalComments: "none",
    metafile: true,
    logLevel: "warning",
    plugins: [npmPackagesExternal],
  });
  const bytes = Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith(".js"))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  return { outdir, bytes };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const { outdir, bytes } = await buildServer();
  console.log(`built ${path.relative(process.cwd(), outdir) || "."}/main.js (${(bytes / 1024).toFixed(0)} KiB of JavaScript)`);
}

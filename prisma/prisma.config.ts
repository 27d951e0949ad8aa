import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";
import { providerOf, providerPaths } from "./src/providers.js";

const here = path.dirname(fileURLToPath(import.meta.url));

// Prisma would download a native schema engine, which air-gapped installs cannot reach. Our
// wasm-backed engine (engine/schema-engine.mjs) is used unless a binary is chosen explicitly;
// set PRISMA_SCHEMA_ENGINE_BINARY to another path to override (the CLI reads it after loading
// this file).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ||= path.join(here, "engine", "schema-engine.mjs");

// DATABASE_URL picks the provider, and with it the schema and migration history to use.
const url = process.env.DATABASE_URL ?? `file:${path.join(here, "..", "data", "slipway.db")}`;
const { schema, migrations } = providerPaths(providerOf(url));

export default defineConfig({
  schema,
  migrations: { path: migrations },
  datasource: { url },
});

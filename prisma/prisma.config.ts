import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "prisma/config";

const here = path.dirname(fileURLToPath(import.meta.url));

// Prisma would download a native schema engine, which air-gapped installs cannot reach. Our
// wasm-backed engine (engine/schema-engine.mjs) is used unless a binary is chosen explicitly;
// set PRISMA_SCHEMA_ENGINE_BINARY to another path to override (the CLI reads it after loading
// this file).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ||= path.join(here, "engine", "schema-engine.mjs");

export default defineConfig({
  schema: path.join(here, "schema.prisma"),
  migrations: { path: path.join(here, "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? `file:${path.join(here, "..", "data", "slipway.db")}` },
});

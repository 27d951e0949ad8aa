// Slipway runs on SQLite (the embedded default) and on PostgreSQL (several replicas). The data
// model has one source, schema.prisma; everything provider-specific is derived from it here:
// the PostgreSQL schema file, each provider's migration folder and generated client.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export type DatabaseProvider = "sqlite" | "postgresql";

export const PROVIDERS: readonly DatabaseProvider[] = ["sqlite", "postgresql"];

/**
 * This package's folder (schema, migrations, config), found through its package.json rather than
 * this file's location: bundled into the server's dist/, this file is no longer in src/.
 */
export const packageDir = path.dirname(createRequire(import.meta.url).resolve("@slipway/prisma/package.json"));

/** Where each provider's schema and migrations live. SQLite's schema is the source itself. */
export function providerPaths(provider: DatabaseProvider): { schema: string; migrations: string } {
  return {
    schema: provider === "sqlite" ? path.join(packageDir, "schema.prisma") : path.join(packageDir, "generated", "postgresql.prisma"),
    migrations: path.join(packageDir, "migrations", provider),
  };
}

/** The provider a Prisma URL names: `file:` is SQLite, `postgres(ql)://` is PostgreSQL. */
export function providerOf(databaseUrl: string): DatabaseProvider {
  if (databaseUrl.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return "postgresql";
  throw new Error("DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)");
}

/**
 * The PostgreSQL schema, derived from the source: the same models with the provider switched, and
 * only the client generator (writing a second client; the Pothos types come from the source).
 * Pure, so the staleness check and the tests can compare it with the committed file.
 */
export function derivePostgresqlSchema(source: string): string {
  const datasource = /datasource\s+db\s*\{[^}]*\}/;
  if (!datasource.test(source) || !/provider\s*=\s*"sqlite"/.test(source)) {
    throw new Error('schema.prisma must declare `datasource db { provider = "sqlite" }`');
  }
  const withoutGenerators = source.replace(/^generator\s+\w+\s*\{[^}]*\}\n*/gm, "");
  const header =
    "// GENERATED from ../schema.prisma by scripts/derive-schemas.ts: do not edit. The PostgreSQL\n" +
    "// copy of Slipway's data model; change schema.prisma and run `npm run generate`.\n\n" +
    "generator client {\n" +
    '  provider            = "prisma-client"\n' +
    '  output              = "../../server/src/generated/prisma-postgresql"\n' +
    '  moduleFormat        = "esm"\n' +
    '  importFileExtension = "js"\n' +
    "}\n\n";
  return header + withoutGenerators.replace(datasource, 'datasource db {\n  provider = "postgresql"\n}').replace(/^\/\/[^\n]*\n(\/\/[^\n]*\n)*\n?/, "");
}

/** Writes generated/postgresql.prisma from schema.prisma; returns its path. */
export function writeDerivedSchemas(): string {
  const target = providerPaths("postgresql").schema;
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, derivePostgresqlSchema(readFileSync(providerPaths("sqlite").schema, "utf8")));
  return target;
}

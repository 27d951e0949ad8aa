// Adds one migration per provider for the change made to schema.prisma, with the same name and
// timestamp in both histories:  npm run migrate:new -w @slipway/prisma -- <name>
// PostgreSQL's is computed against a temporary shadow database on SLIPWAY_TEST_POSTGRES_URL's
// server (prisma/scripts/ci-postgres.sh starts one), SQLite's against an in-memory one.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { prismaCliPath, prismaPaths } from "../src/migrate.js";
import { PROVIDERS, providerPaths, writeDerivedSchemas, type DatabaseProvider } from "../src/providers.js";
import { POSTGRES_DEV_URL } from "../src/dev-database.js";

const name = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run migrate:new -w @slipway/prisma -- <name>   (lowercase letters, digits, _)");
  process.exit(2);
}

writeDerivedSchemas();
const timestamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const devUrls: Record<DatabaseProvider, string> = { sqlite: `file:${path.join(tmpdir(), "slipway-new-migration.db")}`, postgresql: POSTGRES_DEV_URL };

for (const provider of PROVIDERS) {
  const { schema, migrations } = providerPaths(provider);
  const hasHistory = readdirSync(migrations).some((entry) => /^\d{14}_/.test(entry));
  const from = hasHistory ? ["--from-migrations", migrations] : ["--from-empty"];
  const sql = execFileSync(
    process.execPath,
    [prismaCliPath(), "migrate", "diff", ...from, "--to-schema", schema, "--script", "--config", prismaPaths.config],
    { cwd: prismaPaths.packageDir, env: { ...process.env, DATABASE_URL: devUrls[provider], CHECKPOINT_DISABLE: "1" }, encoding: "utf8" },
  );
  if (!/^\s*(CREATE|ALTER|DROP|INSERT|UPDATE|PRAGMA|DELETE)/im.test(sql)) {
    console.log(`${provider}: no change`);
    continue;
  }
  const dir = path.join(migrations, `${timestamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "migration.sql"), sql.replace(/^-- CreateSchema\nCREATE SCHEMA IF NOT EXISTS "public";\n\n/m, ""));
  console.log(`${provider}: wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
}

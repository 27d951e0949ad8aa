// CI: fails (exit 2, naming the change) unless each provider's migrations produce exactly its
// schema. Needs the PostgreSQL server of SLIPWAY_TEST_POSTGRES_URL (scripts/ci-postgres.sh).
import { checkMigrations, PrismaCliError } from "../src/migrate.js";
import { POSTGRES_DEV_URL } from "../src/dev-database.js";

try {
  for (const [provider, result] of Object.entries(await checkMigrations(POSTGRES_DEV_URL))) console.log(`${provider}: ${result}`);
} catch (error) {
  if (!(error instanceof PrismaCliError)) throw error;
  console.error(`Migrations do not match the schema; run \`npm run migrate:new -w @slipway/prisma -- <name>\` and commit.\n${error.stdout}${error.stderr}`);
  process.exit(error.exitCode ?? 1);
}

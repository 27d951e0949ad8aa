export { anchorSqliteUrl, applyMigrations, checkMigrations, PrismaCliError, prismaCliPath, prismaPaths, runPrisma } from "./migrate.js";
export { derivePostgresqlSchema, providerOf, providerPaths, PROVIDERS, type DatabaseProvider } from "./providers.js";
export type { PrismaRunResult } from "./migrate.js";

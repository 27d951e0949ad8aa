export { anchorSqliteUrl, applyMigrations, PrismaCliError, prismaCliPath, prismaPaths, runPrisma } from "./migrate.js";
export type { PrismaRunResult } from "./migrate.js";

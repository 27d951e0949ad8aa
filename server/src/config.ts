import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().default("0.0.0.0"),
  SLIPWAY_DATA_DIR: z.string().default(path.join(repoRoot, "data")),
  DATABASE_URL: z.string().optional(),
  SLIPWAY_SECRET_KEY: z.string().optional(),
  SLIPWAY_ADMIN_EMAIL: z.string().optional(),
  SLIPWAY_ADMIN_PASSWORD: z.string().optional(),
  SLIPWAY_ADMIN_NAME: z.string().default("Administrator"),
  SLIPWAY_CONSOLE_URL: z.string().default("http://localhost:3000"),
  SLIPWAY_DIGITALOCEAN_API_URL: z.string().url().default("https://api.digitalocean.com"),
  SLIPWAY_CLOUDFLARE_API_URL: z.string().url().default("https://api.cloudflare.com/client/v4"),
  SLIPWAY_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SLIPWAY_OPERATION_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  secretKey: string | undefined;
  initialAdmin: { email: string; password: string; name: string } | undefined;
  consoleUrl: string;
  digitalOceanApiUrl: string;
  cloudflareApiUrl: string;
  logLevel: z.infer<typeof EnvSchema>["SLIPWAY_LOG_LEVEL"];
  operationConcurrency: number;
}

/** Reads the control plane's configuration from environment variables, once, at start. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.SLIPWAY_DATA_DIR);
  if ((e.SLIPWAY_ADMIN_EMAIL === undefined) !== (e.SLIPWAY_ADMIN_PASSWORD === undefined)) {
    throw new Error("Invalid configuration: set both SLIPWAY_ADMIN_EMAIL and SLIPWAY_ADMIN_PASSWORD, or neither");
  }
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(dataDir, "slipway.db")}`,
    secretKey: e.SLIPWAY_SECRET_KEY,
    initialAdmin:
      e.SLIPWAY_ADMIN_EMAIL && e.SLIPWAY_ADMIN_PASSWORD
        ? { email: e.SLIPWAY_ADMIN_EMAIL, password: e.SLIPWAY_ADMIN_PASSWORD, name: e.SLIPWAY_ADMIN_NAME }
        : undefined,
    consoleUrl: e.SLIPWAY_CONSOLE_URL,
    digitalOceanApiUrl: e.SLIPWAY_DIGITALOCEAN_API_URL.replace(/\/$/, ""),
    cloudflareApiUrl: e.SLIPWAY_CLOUDFLARE_API_URL.replace(/\/$/, ""),
    logLevel: e.SLIPWAY_LOG_LEVEL,
    operationConcurrency: e.SLIPWAY_OPERATION_CONCURRENCY,
  };
}

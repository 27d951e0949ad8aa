// The agent's configuration file, parsed and validated once at start.
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AGENT_CONFIG_ENV, AGENT_CONFIG_PATH, AGENT_STATE_DIR } from "./layout.js";
import { DEFAULT_AGENT_PORT } from "./protocol/index.js";

export const AgentConfig = z
  .object({
    port: z.number().int().min(1).max(65535).default(DEFAULT_AGENT_PORT),
    /** sha256 (hex) of the bearer token; the token itself never lives on the server. */
    tokenSha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters"),
    dockerSocket: z.string().startsWith("/").default("/var/run/docker.sock"),
    nginxDir: z.string().startsWith("/").default("/etc/nginx"),
    stateDir: z.string().startsWith("/").default(AGENT_STATE_DIR),
  })
  .strict();
export type AgentConfig = z.infer<typeof AgentConfig>;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env[AGENT_CONFIG_ENV] || AGENT_CONFIG_PATH;
}

export function parseConfig(text: string, source: string): AgentConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not JSON (${(e as Error).message})`);
  }
  const parsed = AgentConfig.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join(".") || "(config)"}: ${i.message}`).join("; ");
    throw new Error(`${source}: invalid agent configuration: ${why}`);
  }
  return parsed.data;
}

export async function loadConfig(path = configPath()): Promise<AgentConfig> {
  return parseConfig(await readFile(path, "utf8"), path);
}

import { createClient, type SlipwayClient } from "../client.js";
import { configPath, readStoredLogin } from "./config-file.js";
import { CliError, ExitCode } from "./exit-codes.js";

/** Accepts the server's address with or without `/graphql`. */
export function apiUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new CliError(`"${input}" is not a URL; give the server's address, e.g. https://slipway.example.com`, ExitCode.Usage);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new CliError(`"${input}" is not an http(s) URL`, ExitCode.Usage);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/graphql";
  return url.toString().replace(/\/$/, "");
}

/** SLIPWAY_URL and SLIPWAY_TOKEN win over what `slipway login` stored, field by field. */
export async function resolveLogin(env: NodeJS.ProcessEnv = process.env): Promise<{ url: string; token: string }> {
  const stored = env.SLIPWAY_URL && env.SLIPWAY_TOKEN ? undefined : await readStoredLogin(configPath(env));
  const url = env.SLIPWAY_URL || stored?.url;
  const token = env.SLIPWAY_TOKEN || stored?.token;
  if (!url || !token) throw new CliError("Not logged in: run `slipway login`, or set SLIPWAY_URL and SLIPWAY_TOKEN", ExitCode.Auth);
  return { url: apiUrl(url), token };
}

export async function connect(): Promise<SlipwayClient> {
  return createClient(await resolveLogin());
}

import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

/** What `slipway login` stores. */
export interface StoredLogin {
  url: string;
  token: string;
  /** The id of the token a password login created, so `slipway logout` can revoke it. */
  tokenId?: string;
  email?: string;
}

/** `$XDG_CONFIG_HOME/slipway/config.json`, or `~/.config/slipway/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir(), ".config");
  return path.join(base, "slipway", "config.json");
}

export async function readStoredLogin(file: string): Promise<StoredLogin | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StoredLogin>;
  return typeof parsed.url === "string" && typeof parsed.token === "string" ? (parsed as StoredLogin) : undefined;
}

/** The file holds a token: only its owner may read it. */
export async function writeStoredLogin(file: string, login: StoredLogin): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  // writeFile keeps the mode of a file that already exists.
  await chmod(file, 0o600);
}

export async function removeStoredLogin(file: string): Promise<void> {
  await rm(file, { force: true });
}

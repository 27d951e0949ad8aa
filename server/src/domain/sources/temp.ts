import { mkdir, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";

/** A fresh private folder under `base` (created if missing); the caller removes it with removeDir. */
export async function makeTempDir(base: string, prefix: string): Promise<string> {
  await mkdir(base, { recursive: true });
  return mkdtemp(path.join(base, `slipway-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

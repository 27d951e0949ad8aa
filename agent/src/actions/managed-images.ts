// The agent's record of the images Slipway manages without labels (see commands/state.ts).
// Reads and writes go one at a time, so two requests never lose each other's records.
import { managedImagesFile, managedImagesPath, parseManagedImages, type ManagedImage, type ManagedImages } from "../commands/state.js";
import type { AgentDeps } from "./deps.js";

type StateDeps = Pick<AgentDeps, "exec" | "stateDir" | "locks">;

export async function readManagedImages(deps: Pick<AgentDeps, "exec" | "stateDir">): Promise<ManagedImages> {
  return parseManagedImages(await deps.exec.readFile(managedImagesPath(deps.stateDir)));
}

export async function recordManagedImages(deps: StateDeps, add: Readonly<Record<string, ManagedImage>>): Promise<void> {
  await update(deps, (images) => ({ ...images, ...add }));
}

export async function forgetManagedImages(deps: StateDeps, tags: readonly string[]): Promise<void> {
  if (tags.length === 0) return;
  await update(deps, (images) => Object.fromEntries(Object.entries(images).filter(([tag]) => !tags.includes(tag))));
}

function update(deps: StateDeps, change: (images: ManagedImages) => ManagedImages): Promise<void> {
  return deps.locks.run("state:images", async () => {
    const next = change(await readManagedImages(deps));
    await deps.exec.writeFile(managedImagesFile(deps.stateDir, next));
  });
}

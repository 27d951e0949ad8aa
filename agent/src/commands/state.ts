// Pure builders for the agent's state files: where they live and their exact contents.
import type { FileWrite } from "../exec/types.js";

/**
 * An image Slipway manages without its labels on it. Docker cannot add labels to an existing
 * image, so a pulled image (or one copied from a server that pulled it) is only tagged for its
 * deployment and recorded here.
 */
export interface ManagedImage {
  service: string;
  deployment: string;
  /** The reference Slipway pulled to get it (removed with the tag when nothing else needs it); null when the image was there already. */
  pulledFrom: string | null;
}

/** Deployment tag -> record. */
export type ManagedImages = Readonly<Record<string, ManagedImage>>;

export function managedImagesPath(stateDir: string): string {
  return `${stateDir}/images.json`;
}

export function managedImagesFile(stateDir: string, images: ManagedImages): FileWrite {
  const sorted = Object.fromEntries(Object.entries(images).sort(([a], [b]) => a.localeCompare(b)));
  return { path: managedImagesPath(stateDir), contents: `${JSON.stringify(sorted, null, 2)}\n`, mode: 0o600 };
}

export function parseManagedImages(contents: string | null): ManagedImages {
  if (contents === null) return {};
  try {
    const parsed = JSON.parse(contents) as unknown;
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as ManagedImages) : {};
  } catch {
    // A damaged file forgets the records: cleanup then leaves those images alone, which is safe.
    return {};
  }
}

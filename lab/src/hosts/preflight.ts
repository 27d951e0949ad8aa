// What the lab's hosts need from the machine: root, and the programs of Debian's packages that
// scripts/install-deps.sh installs. Pure: the caller passes how to test for a file.

import { BIN, BIN_PACKAGES } from './layout.js';

/** A clear message listing every missing prerequisite, or null when all are there. */
export function prerequisiteProblems(uid: number | undefined, exists: (path: string) => boolean): string | null {
  const problems: string[] = [];
  if (uid !== undefined && uid !== 0) problems.push(`must run as root (uid is ${uid})`);
  const missing = (Object.keys(BIN) as (keyof typeof BIN)[]).filter((k) => !exists(BIN[k]));
  if (missing.length) {
    const packages = [...new Set(missing.map((k) => BIN_PACKAGES[k]))];
    problems.push(
      `missing programs: ${missing.map((k) => BIN[k]).join(', ')} (Debian packages: ${packages.join(', ')})`,
    );
  }
  if (problems.length === 0) return null;
  return `lab hosts cannot run here: ${problems.join('; ')}. Run lab/scripts/install-deps.sh as root.`;
}

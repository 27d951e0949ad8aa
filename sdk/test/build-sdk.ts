// Vitest global setup: the CLI and package tests run the built SDK, so build it once first.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function buildSdk(): void {
  execFileSync("npm", ["run", "build", "-w", "@slipway/sdk"], { cwd: fileURLToPath(new URL("../..", import.meta.url)), stdio: "pipe" });
}

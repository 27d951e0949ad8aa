import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The lab tests boot real hosts (namespaces, dockerd, nginx, sshd) on a shared bridge:
    // one file at a time, long timeouts.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 120_000,
  },
});

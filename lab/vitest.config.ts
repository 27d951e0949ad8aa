import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // The lab's real-host tests (test/hosts-*.test.ts) boot network namespaces, dockerd, nginx
    // and sshd as root on one bridge and address plan (the lab's test instance, never the default
    // lab other workspaces' suites use): test files run one at a time, and
    // hooks get long timeouts (those tests also set their own per-test timeouts).
    fileParallelism: false,
    hookTimeout: 180_000,
    teardownTimeout: 120_000,
  },
});

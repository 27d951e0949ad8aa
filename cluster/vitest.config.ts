import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    // test/cluster.test.ts starts a whole cluster (PostgreSQL, Redis, replicas, nginx, console).
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});

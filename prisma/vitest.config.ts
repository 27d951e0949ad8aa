import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every test drives the real Prisma CLI against real databases.
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});

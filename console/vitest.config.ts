import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.ts"],
    // Browser tests start a real API server, a production console build and Chromium.
    testTimeout: 180_000,
    hookTimeout: 420_000,
    pool: "forks",
    fileParallelism: false,
  },
});

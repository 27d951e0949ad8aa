import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// The monorepo root: Next must trace files and resolve workspaces from there, not from console/.
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
};

export default nextConfig;

import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// The monorepo root: Next must trace files and resolve workspaces from there, not from console/.
const repoRoot = fileURLToPath(new URL("..", import.meta.url));

// The console may not be framed (clickjacking) and loads code only from itself. Next's app router
// hydrates with inline scripts, hence 'unsafe-inline' for scripts; the API's address is chosen when
// the console starts (SLIPWAY_API_URL), after these headers were built, so connections may go to
// any http(s)/ws(s) origin — the API itself admits browsers from the console's origin only (CORS).
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === "development" ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' http: https: ws: wss:",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS = [
  { key: "Content-Security-Policy", value: CONTENT_SECURITY_POLICY },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "no-referrer" },
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  outputFileTracingRoot: repoRoot,
  turbopack: { root: repoRoot },
  async headers() {
    return [{ source: "/:path*", headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;

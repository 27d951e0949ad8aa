import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { ApiProvider } from "@/components/ApiProvider";
import { API_URL_META_NAME } from "@/lib/api-url";
import "./globals.css";

export const metadata: Metadata = {
  title: { template: "%s · Slipway", default: "Slipway" },
  description: "Deploy and run your services on your own servers.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Read per request, not at build time, so one build serves any API address.
  await connection();
  const apiUrl = process.env.SLIPWAY_API_URL;
  return (
    <html lang="en">
      <head>{apiUrl ? <meta name={API_URL_META_NAME} content={apiUrl} /> : null}</head>
      <body>
        <ApiProvider>{children}</ApiProvider>
      </body>
    </html>
  );
}

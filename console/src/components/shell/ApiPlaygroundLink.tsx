"use client";

import { useEffect, useState } from "react";
import { resolveApiUrl } from "@/lib/api-url";

/** Opens GraphiQL, which the API serves itself at its own address (it works offline). */
export function ApiPlaygroundLink({ className, children = "GraphQL API" }: { className?: string; children?: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => setUrl(resolveApiUrl()), []);
  if (!url) return null;
  return (
    <a className={className} href={url} target="_blank" rel="noreferrer">
      {children}
    </a>
  );
}

// GraphiQL served by the control plane itself, so it works on machines without internet: the page
// and every file it loads (script, stylesheet, editor workers, icon) come from the packaged build
// in @graphql-yoga/render-graphiql, under /graphiql/<version>/. Nothing in the page names another host.
import { createRequire } from "node:module";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { GraphiQLOptions, Plugin } from "graphql-yoga";

const require = createRequire(import.meta.url);
const VERSION = (require("@graphql-yoga/render-graphiql/package.json") as { version: string }).version;

/** Where the assets live; versioned, so browsers may keep them for good. */
export const GRAPHIQL_ASSET_BASE = `/graphiql/${VERSION}`;

type AssetName = "graphiql.css" | "yoga-graphiql.js" | "editor.worker.js" | "json.worker.js" | "graphql.worker.js" | "favicon.ico";

const WORKERS = { editorWorkerService: "editor.worker.js", json: "json.worker.js", graphql: "graphql.worker.js" } as const;

const DEFAULT_QUERY = `# Welcome to the Slipway API.
#
# Queries need an API token: create one in the
# console (Settings → API tokens) and put it in
# the Headers tab below:
#
#   { "Authorization": "Bearer <your token>" }
#
# Docs (top left) lists every query, mutation and
# subscription. Run this one with Ctrl+Enter:
query WhoAmI {
  viewer {
    email
    role
  }
}
`;

/** Slipway's GraphiQL settings: the headers editor open, with the Authorization header to fill in. */
export const GRAPHIQL_OPTIONS: GraphiQLOptions = {
  title: "Slipway API",
  subscriptionsProtocol: "WS",
  defaultQuery: DEFAULT_QUERY,
  // An empty value is sent as no token, so the schema loads before one is pasted in.
  headers: JSON.stringify({ Authorization: "" }, null, 2),
  defaultEditorToolsVisibility: "headers",
  shouldPersistHeaders: false,
};

/** The page: loads GraphiQL from `assetBase` and starts it with `options`. Pure. */
export function renderGraphiQLPage(options: GraphiQLOptions, assetBase = GRAPHIQL_ASSET_BASE): string {
  const workers = Object.fromEntries(Object.entries(WORKERS).map(([label, file]) => [label, `${assetBase}/${file}`]));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(options.title ?? "GraphiQL")}</title>
<link rel="icon" href="${assetBase}/favicon.ico">
<link rel="stylesheet" href="${assetBase}/graphiql.css">
</head>
<body id="body" class="no-focus-outline">
<noscript>GraphiQL needs JavaScript.</noscript>
<div id="root"></div>
<script>self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_moduleId, label) => (${scriptJson(workers)})[label] };</script>
<script src="${assetBase}/yoga-graphiql.js"></script>
<script>YogaGraphiQL.renderYogaGraphiQL(document.getElementById("root"), ${scriptJson(options)});</script>
</body>
</html>
`;
}

interface Asset {
  contentType: string;
  body: Buffer;
  gzipped: Promise<Buffer>;
}

let assets: Promise<Map<string, Asset>> | undefined;

/** Loaded on first use: about 9 MB of text that a control plane nobody browses never needs. */
function loadAssets(): Promise<Map<string, Asset>> {
  assets ??= import("@graphql-yoga/render-graphiql/graphiql").then((build) => {
    const files: Record<AssetName, [string, Buffer]> = {
      "graphiql.css": ["text/css; charset=utf-8", Buffer.from(build.css)],
      "yoga-graphiql.js": ["text/javascript; charset=utf-8", Buffer.from(build.js)],
      "editor.worker.js": ["text/javascript; charset=utf-8", Buffer.from(build.editorWorkerService)],
      "json.worker.js": ["text/javascript; charset=utf-8", Buffer.from(build.jsonWorker)],
      "graphql.worker.js": ["text/javascript; charset=utf-8", Buffer.from(build.graphqlWorker)],
      "favicon.ico": ["image/x-icon", Buffer.from(build.favicon.replace(/^data:[^,]*;base64,/, ""), "base64")],
    };
    const compress = promisify(gzip);
    return new Map(
      Object.entries(files).map(([name, [contentType, body]]) => {
        let gzipped: Promise<Buffer> | undefined;
        const asset: Asset = {
          contentType,
          body,
          get gzipped() {
            return (gzipped ??= compress(body));
          },
        };
        return [`${GRAPHIQL_ASSET_BASE}/${name}`, asset];
      }),
    );
  });
  return assets;
}

/** A yoga plugin answering GET requests for GraphiQL's assets; everything else passes through. */
export function useGraphiQLAssets(): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(`${GRAPHIQL_ASSET_BASE}/`) || (request.method !== "GET" && request.method !== "HEAD")) return;
      const asset = (await loadAssets()).get(url.pathname);
      if (!asset) {
        endResponse(new fetchAPI.Response("Not found", { status: 404 }));
        return;
      }
      const gzipped = /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
      const body = gzipped ? await asset.gzipped : asset.body;
      const headers: Record<string, string> = {
        "content-type": asset.contentType,
        "cache-control": "public, max-age=31536000, immutable",
        "content-length": String(body.length),
      };
      if (gzipped) headers["content-encoding"] = "gzip";
      endResponse(new fetchAPI.Response(request.method === "HEAD" ? null : new Uint8Array(body), { status: 200, headers }));
    },
  };
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

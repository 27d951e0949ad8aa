// GraphiQL is served offline: the page names no other host, and every file it loads comes from the
// control plane. (console/test/e2e/graphiql.test.ts runs it in Chromium with the network cut off.)
import { request } from "undici";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GRAPHIQL_ASSET_BASE, GRAPHIQL_OPTIONS, renderGraphiQLPage } from "../src/graphql/graphiql.js";
import { startTestServer, type TestServer } from "./harness.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const origin = () => new URL(server.url).origin;

describe("GraphiQL", () => {
  it("renders a page whose scripts, styles and workers all come from the control plane", async () => {
    const response = await request(server.url, { headers: { accept: "text/html" } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/html/);
    const html = await response.body.text();
    expect(html).toBe(renderGraphiQLPage(GRAPHIQL_OPTIONS));
    expect(html.match(/https?:\/\/[^\s"'<>]+/g) ?? []).toEqual([]);
    const loaded = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(loaded.sort()).toEqual(
      [`${GRAPHIQL_ASSET_BASE}/favicon.ico`, `${GRAPHIQL_ASSET_BASE}/graphiql.css`, `${GRAPHIQL_ASSET_BASE}/yoga-graphiql.js`].sort(),
    );
    for (const worker of ["editor", "json", "graphql"]) expect(html).toContain(`${GRAPHIQL_ASSET_BASE}/${worker}.worker.js`);
    expect(GRAPHIQL_OPTIONS.headers).toBe('{\n  "Authorization": ""\n}');
    expect(html).toContain(JSON.stringify(GRAPHIQL_OPTIONS.headers));
    expect(html).toContain("Bearer \\u003cyour token>");
  });

  it("serves each asset with its type, gzipped when asked, cacheable for good", async () => {
    const expected: Record<string, RegExp> = {
      "yoga-graphiql.js": /^text\/javascript/,
      "graphiql.css": /^text\/css/,
      "editor.worker.js": /^text\/javascript/,
      "json.worker.js": /^text\/javascript/,
      "graphql.worker.js": /^text\/javascript/,
      "favicon.ico": /^image\/x-icon$/,
    };
    for (const [name, type] of Object.entries(expected)) {
      const plain = await request(`${origin()}${GRAPHIQL_ASSET_BASE}/${name}`);
      expect(plain.statusCode, name).toBe(200);
      expect(plain.headers["content-type"], name).toMatch(type);
      expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      const body = Buffer.from(await plain.body.arrayBuffer());
      expect(body.length, name).toBeGreaterThan(1000);

      const zipped = await request(`${origin()}${GRAPHIQL_ASSET_BASE}/${name}`, { headers: { "accept-encoding": "gzip" } });
      expect(zipped.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(Buffer.from(await zipped.body.arrayBuffer())).equals(body), name).toBe(true);
    }
    const script = await (await request(`${origin()}${GRAPHIQL_ASSET_BASE}/yoga-graphiql.js`)).body.text();
    expect(script).toContain("renderYogaGraphiQL");
  });

  it("answers 404 for an unknown asset and leaves the API alone", async () => {
    const missing = await request(`${origin()}${GRAPHIQL_ASSET_BASE}/nope.js`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
    const api = await server.gql("{ setupStatus { needsSetup } }");
    expect(api.data).toEqual({ setupStatus: { needsSetup: false } });
  });

  it("escapes what it puts into the page", () => {
    const html = renderGraphiQLPage({ title: '<b>"x"</b>', defaultQuery: "</script><script>alert(1)</script>" }, "/a");
    expect(html).toContain("<title>&lt;b&gt;&quot;x&quot;&lt;/b&gt;</title>");
    expect(html).not.toContain("</script><script>alert(1)");
    expect(html).toContain("\\u003c/script>\\u003cscript>alert(1)");
  });
});

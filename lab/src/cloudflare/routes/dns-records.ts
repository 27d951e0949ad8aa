import type { RecordBatchResponse } from "cloudflare/resources/dns/records";
import { z } from "zod";
import { ZoneRecords } from "../dns-records.js";
import { CloudflareError, ok, paged } from "../envelope.js";
import type { LabRecord } from "../state.js";
import { recordsOf, type RouteContext } from "./context.js";

const batchSchema = z.object({
  deletes: z.array(z.object({ id: z.string() })).default([]),
  patches: z.array(z.object({ id: z.string() }).passthrough()).default([]),
  puts: z.array(z.object({ id: z.string() }).passthrough()).default([]),
  posts: z.array(z.unknown()).default([]),
});

function bodyObject(body: unknown): object {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new CloudflareError(400, 9207, "Request body is invalid.");
  }
  return body;
}

export function registerDnsRecordRoutes(ctx: RouteContext): void {
  const { router, state } = ctx;

  router.add("GET", "/zones/{zone_id}/dns_records", (req) => {
    const records = recordsOf(state, req.params.zone_id);
    const type = req.query.get("type");
    const name = req.query.get("name") ?? req.query.get("name.exact");
    const content = req.query.get("content") ?? req.query.get("content.exact");
    const matching = [...records.records.values()]
      .filter((r) => type === null || r.type === type)
      .filter((r) => name === null || r.name === name.toLowerCase())
      .filter((r) => content === null || r.content === content);
    return paged(matching, req.query, 100);
  });

  router.add("POST", "/zones/{zone_id}/dns_records", (req) =>
    ok(recordsOf(state, req.params.zone_id).create(bodyObject(req.body))),
  );

  router.add("GET", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) =>
    ok(recordsOf(state, req.params.zone_id).get(req.params.dns_record_id!)),
  );

  router.add("PUT", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) =>
    ok(recordsOf(state, req.params.zone_id).replace(req.params.dns_record_id!, bodyObject(req.body))),
  );

  router.add("PATCH", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) =>
    ok(recordsOf(state, req.params.zone_id).patch(req.params.dns_record_id!, bodyObject(req.body))),
  );

  router.add("DELETE", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) => {
    const { id } = recordsOf(state, req.params.zone_id).delete(req.params.dns_record_id!);
    return ok({ id });
  });

  // Cloudflare runs a batch as one transaction, in the order deletes, patches, puts, posts.
  router.add("POST", "/zones/{zone_id}/dns_records/batch", (req) => {
    const parsed = batchSchema.safeParse(bodyObject(req.body));
    if (!parsed.success) throw new CloudflareError(400, 9207, "Request body is invalid.");
    const live = recordsOf(state, req.params.zone_id);
    const draft = new ZoneRecords(live.zoneName, new Map(live.records));
    const { deletes, patches, puts, posts } = parsed.data;
    const result: Required<RecordBatchResponse> = {
      deletes: deletes.map((d) => draft.delete(d.id)),
      patches: patches.map(({ id, ...change }) => draft.patch(id, change)),
      puts: puts.map(({ id, ...record }) => draft.replace(id, record)),
      posts: posts.map((record) => draft.create(bodyObject(record))),
    };
    live.records.clear();
    draft.records.forEach((record: LabRecord, id) => live.records.set(id, record));
    return ok(result);
  });
}

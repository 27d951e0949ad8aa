import type { DnsBatchResult } from "@slipway/cloudflare-api";
import { z } from "zod";
import { filterDnsRecords } from "../dns-record-filter.js";
import { ZoneRecords } from "../dns-records.js";
import { CloudflareError, ok, paged } from "../envelope.js";
import type { LabRecord } from "../state.js";
import { recordsOf, requestPath, type RouteContext } from "./context.js";

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
    const records = recordsOf(state, req.params.zone_id, requestPath(req));
    return paged(filterDnsRecords([...records.records.values()], req.query), req.query, 100);
  });

  router.add("POST", "/zones/{zone_id}/dns_records", (req) =>
    ok(recordsOf(state, req.params.zone_id, requestPath(req)).create(bodyObject(req.body))),
  );

  router.add("GET", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) =>
    ok(recordsOf(state, req.params.zone_id, requestPath(req)).get(req.params.dns_record_id!)),
  );

  router.add("PUT", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) =>
    ok(recordsOf(state, req.params.zone_id, requestPath(req)).replace(req.params.dns_record_id!, bodyObject(req.body))),
  );

  router.add("PATCH", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) =>
    ok(recordsOf(state, req.params.zone_id, requestPath(req)).patch(req.params.dns_record_id!, bodyObject(req.body))),
  );

  router.add("DELETE", "/zones/{zone_id}/dns_records/{dns_record_id}", (req) => {
    const { id } = recordsOf(state, req.params.zone_id, requestPath(req)).delete(req.params.dns_record_id!);
    return ok({ id });
  });

  // Cloudflare runs a batch as one transaction, in the order deletes, patches, puts, posts.
  router.add("POST", "/zones/{zone_id}/dns_records/batch", (req) => {
    const parsed = batchSchema.safeParse(bodyObject(req.body));
    if (!parsed.success) throw new CloudflareError(400, 9207, "Request body is invalid.");
    const live = recordsOf(state, req.params.zone_id, requestPath(req));
    const draft = new ZoneRecords(live.zone, new Map(live.records));
    const { deletes, patches, puts, posts } = parsed.data;
    const result: Required<DnsBatchResult> = {
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

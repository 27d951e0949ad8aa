import type { LabRecord } from "./state.js";
import { CloudflareError } from "./envelope.js";

// The query of "List DNS Records" (GET /zones/{zone_id}/dns_records) as Cloudflare documents it:
// - name, content, comment: `.exact` (the bare parameter is an alias), `.contains`,
//   `.startswith`, `.endswith`, case-insensitive; comment also `.present` / `.absent`;
// - tag: `.present` / `.absent` (a tag name), `.exact` / `.contains` / `.startswith` /
//   `.endswith` (`name:value`, on the value); bare `tag=name` means present, `tag=name:value` exact;
//   tag conditions combine by `tag_match` (all by default);
// - type, proxied;
// - `match`: all (default) ANDs the conditions, any ORs them (the tag group counts as one);
// - `search`: any of name, content, comment or a tag contains it, ANDed with the rest;
// - `order` (type, name, content, ttl, proxied) and its `direction` (asc, desc).
// Pure: the route hands over the query and the zone's records.

type Condition = (record: LabRecord) => boolean;
type TextOp = "exact" | "contains" | "startswith" | "endswith";

const TEXT_OPS: readonly TextOp[] = ["exact", "contains", "startswith", "endswith"];
const ORDERS = ["type", "name", "content", "ttl", "proxied"] as const;

function invalid(parameter: string, value: string): CloudflareError {
  return new CloudflareError(400, 9207, "Request body is invalid.", [{ code: 9207, message: `${parameter}: invalid value ${JSON.stringify(value)}` }]);
}

function textMatches(op: TextOp, actual: string, wanted: string): boolean {
  const a = actual.toLowerCase();
  const w = wanted.toLowerCase();
  switch (op) {
    case "exact":
      return a === w;
    case "contains":
      return a.includes(w);
    case "startswith":
      return a.startsWith(w);
    case "endswith":
      return a.endsWith(w);
  }
}

/** A record's tags as [name, value] (Cloudflare's tags are `name:value`; the value may be empty). */
function tagPairs(record: LabRecord): [string, string][] {
  return (record.tags ?? []).map((tag) => {
    const colon = tag.indexOf(":");
    return colon < 0 ? [tag.toLowerCase(), ""] : [tag.slice(0, colon).toLowerCase(), tag.slice(colon + 1)];
  });
}

function textConditions(query: URLSearchParams, field: "name" | "content" | "comment"): Condition[] {
  const out: Condition[] = [];
  const value = (record: LabRecord): string => String(record[field] ?? "");
  for (const op of TEXT_OPS) {
    const params = op === "exact" ? [field, `${field}.exact`] : [`${field}.${op}`];
    for (const parameter of params) {
      for (const wanted of query.getAll(parameter)) out.push((record) => textMatches(op, value(record), wanted));
    }
  }
  if (field === "comment") {
    if (query.has("comment.present")) out.push((record) => value(record) !== "");
    if (query.has("comment.absent")) out.push((record) => value(record) === "");
  }
  return out;
}

function tagConditions(query: URLSearchParams): Condition[] {
  const out: Condition[] = [];
  const has = (record: LabRecord, name: string) => tagPairs(record).some(([n]) => n === name.toLowerCase());
  const valued = (op: TextOp, parameter: string, wanted: string): Condition => {
    const colon = wanted.indexOf(":");
    if (colon < 0) throw invalid(parameter, wanted);
    const name = wanted.slice(0, colon).toLowerCase();
    const value = wanted.slice(colon + 1);
    return (record) => tagPairs(record).some(([n, v]) => n === name && textMatches(op, v, value));
  };
  for (const wanted of query.getAll("tag")) {
    out.push(wanted.includes(":") ? valued("exact", "tag", wanted) : (record) => has(record, wanted));
  }
  for (const wanted of query.getAll("tag.present")) out.push((record) => has(record, wanted));
  for (const wanted of query.getAll("tag.absent")) out.push((record) => !has(record, wanted));
  for (const op of TEXT_OPS) for (const wanted of query.getAll(`tag.${op}`)) out.push(valued(op, `tag.${op}`, wanted));
  return out;
}

function oneOf<T extends string>(query: URLSearchParams, parameter: string, allowed: readonly T[], fallback: T): T {
  const value = query.get(parameter);
  if (value === null) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw invalid(parameter, value);
  return value as T;
}

function combine(conditions: Condition[], how: "all" | "any"): Condition | undefined {
  if (conditions.length === 0) return undefined;
  return how === "all" ? (record) => conditions.every((c) => c(record)) : (record) => conditions.some((c) => c(record));
}

/** The records the query selects, in the order it asks for (creation order by default). */
export function filterDnsRecords(records: readonly LabRecord[], query: URLSearchParams): LabRecord[] {
  const match = oneOf(query, "match", ["all", "any"], "all");
  const tagMatch = oneOf(query, "tag_match", ["all", "any"], "all");
  const direction = oneOf(query, "direction", ["asc", "desc"], "asc");
  const order = query.has("order") ? oneOf(query, "order", ORDERS, "name") : undefined;

  const conditions: Condition[] = [...textConditions(query, "name"), ...textConditions(query, "content"), ...textConditions(query, "comment")];
  for (const type of query.getAll("type")) conditions.push((record) => record.type === type.toUpperCase());
  const proxied = query.get("proxied");
  if (proxied !== null) {
    if (proxied !== "true" && proxied !== "false") throw invalid("proxied", proxied);
    conditions.push((record) => record.proxied === (proxied === "true"));
  }
  const tags = combine(tagConditions(query), tagMatch);
  if (tags) conditions.push(tags);
  const filters = combine(conditions, match);

  const search = query.get("search")?.toLowerCase();
  const searched: Condition | undefined = search
    ? (record) =>
        [record.name, record.content ?? "", record.comment ?? "", ...(record.tags ?? [])].some((text) => String(text).toLowerCase().includes(search))
    : undefined;

  const selected = records.filter((record) => (filters?.(record) ?? true) && (searched?.(record) ?? true));
  if (!order) return selected;
  const key = (record: LabRecord): string | number => {
    const value = record[order];
    return typeof value === "boolean" ? Number(value) : typeof value === "number" ? value : String(value ?? "").toLowerCase();
  };
  const sign = direction === "desc" ? -1 : 1;
  return [...selected].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

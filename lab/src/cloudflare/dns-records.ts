import type { Zone } from "@slipway/cloudflare-api";
import { cloudflareId, type LabRecord } from "./state.js";
import { CloudflareError } from "./envelope.js";
import { validateRecord, type ValidRecord } from "./dns-validation.js";

// The DNS records of one zone, with Cloudflare's conflict rules. Works on a copy of the zone's
// records so a batch can apply all its operations or none.

const recordNotFound = () => new CloudflareError(404, 81044, "Record does not exist.");

export class ZoneRecords {
  constructor(
    readonly zone: Pick<Zone, "name" | "plan">,
    readonly records: Map<string, LabRecord>,
  ) {}

  get(id: string): LabRecord {
    const record = this.records.get(id);
    if (!record) throw recordNotFound();
    return record;
  }

  create(raw: unknown): LabRecord {
    const valid = validateRecord(raw, this.zone);
    this.checkConflicts(valid);
    const now = new Date().toISOString();
    const record = this.toRecord(cloudflareId(), valid, now);
    this.records.set(record.id, record);
    return record;
  }

  /** PUT: replaces every field. */
  replace(id: string, raw: unknown): LabRecord {
    const existing = this.get(id);
    const valid = validateRecord(raw, this.zone);
    this.checkConflicts(valid, id);
    const record = this.toRecord(id, valid, new Date().toISOString(), existing);
    this.records.set(id, record);
    return record;
  }

  /** PATCH: changes only the fields given. */
  patch(id: string, raw: unknown): LabRecord {
    const existing = this.get(id);
    const merged = { ...existing, ...(raw as object) };
    return this.replace(id, merged);
  }

  delete(id: string): LabRecord {
    const record = this.get(id);
    this.records.delete(id);
    return record;
  }

  private checkConflicts(valid: ValidRecord, ignoreId?: string): void {
    for (const other of this.records.values()) {
      if (other.id === ignoreId || other.name !== valid.name) continue;
      if (other.type === valid.type && other.content === valid.content) {
        throw new CloudflareError(400, 81058, "An identical record already exists.");
      }
      // A CNAME may not share its name with any other record.
      if (valid.type === "CNAME" || other.type === "CNAME") {
        throw new CloudflareError(400, 81053, "An A, AAAA, or CNAME record with that host already exists.");
      }
    }
  }

  /** The record as Cloudflare shows it; comment and tags keep their own modification times. */
  private toRecord(id: string, valid: ValidRecord, now: string, existing?: LabRecord): LabRecord {
    const comment = valid.comment ?? "";
    const commentChanged = !existing || (existing.comment ?? "") !== comment;
    const tagsChanged = !existing || JSON.stringify(existing.tags ?? []) !== JSON.stringify(valid.tags);
    const commentModifiedOn = commentChanged ? now : existing.comment_modified_on;
    const tagsModifiedOn = tagsChanged ? now : existing.tags_modified_on;
    return {
      id,
      type: valid.type,
      name: valid.name,
      content: valid.content,
      ttl: valid.ttl,
      proxied: valid.proxied,
      proxiable: valid.type !== "TXT",
      comment,
      tags: valid.tags,
      settings: {},
      meta: {},
      created_on: existing?.created_on ?? now,
      modified_on: now,
      // "Omitted if there is no comment" / "if there are no tags".
      ...(comment !== "" && commentModifiedOn ? { comment_modified_on: commentModifiedOn } : {}),
      ...(valid.tags.length > 0 && tagsModifiedOn ? { tags_modified_on: tagsModifiedOn } : {}),
    } as LabRecord;
  }
}

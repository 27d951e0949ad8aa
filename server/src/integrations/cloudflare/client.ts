// Cloudflare v4 client for what Slipway needs: zones by name, DNS records (CRUD and batch,
// and a sync of a service's A records), and Origin CA certificates.
import { CLOUDFLARE_RATE_LIMIT } from "@slipway/cloudflare-api";
import type { Dispatcher } from "undici";
import type { RateBudget } from "../rate-budget.js";
import { dnsPlanToBatch, isEmptyPlan, normalizeHostname, planDnsRecords, type DesiredHostname, type DnsPlan, type DnsPlanOptions } from "./dns-plan.js";
import { CloudflareApiError, CloudflareError, DnsConflictError } from "./errors.js";
import {
  CLOUDFLARE_RATE_LIMITS, CloudflareTransport, defaultSleep, type CloudflareRateLimitPolicy, type CloudflareRetryPolicy, type CloudflareTransportEvent, type Envelope,
} from "./transport.js";
import {
  ORIGIN_CA_VALIDITIES, type DnsBatch, type DnsBatchResult, type DnsRecord, type DnsRecordInput, type DnsRecordType, type OriginCaRequestType,
  type OriginCaValidityDays, type OriginCertificate, type Zone,
} from "./types.js";

export const DEFAULT_CLOUDFLARE_API_URL = "https://api.cloudflare.com/client/v4";

/** Cloudflare's codes for "no such record" and "an identical record already exists". */
const RECORD_NOT_FOUND = 81044;
const IDENTICAL_RECORD = 81058;

export interface CloudflareClientOptions {
  /** The API token; the client never puts it in an error or log. */
  token: string;
  /** Ends in /client/v4. */
  apiUrl?: string;
  /** The token's request budget, shared by every client of it (and every replica, in cluster mode). */
  rateBudget: RateBudget;
  /** Deadline of one HTTP attempt; a hung call is abandoned and retried. Default 30 s. */
  requestTimeoutMs?: number;
  retry?: Partial<CloudflareRetryPolicy>;
  /** Default: 1,200 calls per 5 minutes, a 5-minute block after a 429 without retry-after, 3 waits. */
  rateLimit?: Partial<CloudflareRateLimitPolicy>;
  dispatcher?: Dispatcher;
  onEvent?: (event: CloudflareTransportEvent) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CreateOriginCertificateInput {
  csr: string;
  hostnames: string[];
  requestType: OriginCaRequestType;
  /** One of 7, 30, 90, 365, 730, 1095, 5475 days; default 5475. */
  validityDays?: OriginCaValidityDays;
}

export class CloudflareClient {
  private readonly transport: CloudflareTransport;

  constructor(options: CloudflareClientOptions) {
    this.transport = new CloudflareTransport({
      apiUrl: (options.apiUrl ?? DEFAULT_CLOUDFLARE_API_URL).replace(/\/$/, ""),
      token: options.token,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 20_000, ...options.retry },
      budget: options.rateBudget,
      rateLimit: { limits: CLOUDFLARE_RATE_LIMITS, blockWaitMs: CLOUDFLARE_RATE_LIMIT.blockSeconds * 1000, maxWaits: 3, ...options.rateLimit },
      dispatcher: options.dispatcher,
      onEvent: options.onEvent,
      random: options.random ?? Math.random,
      sleep: options.sleep ?? defaultSleep,
    });
  }

  /** The token's status ("active" when usable). */
  async verifyToken(): Promise<{ id: string; status: string }> {
    return (await this.transport.call<{ id: string; status: string }>({ method: "GET", path: "/user/tokens/verify" })).result;
  }

  // ---- zones ----

  async findZone(name: string): Promise<Zone | undefined> {
    const zones = await this.listAll<Zone>("/zones", { name: normalizeHostname(name) });
    return zones[0];
  }

  /** The zone a hostname lies in: the longest of its suffixes that is a zone of the account. */
  async findZoneForHostname(hostname: string): Promise<Zone | undefined> {
    const labels = normalizeHostname(hostname).replace(/^\*\./, "").split(".");
    for (let i = 0; i < labels.length - 1; i++) {
      const zone = await this.findZone(labels.slice(i).join("."));
      if (zone) return zone;
    }
    return undefined;
  }

  // ---- DNS records ----

  async listDnsRecords(zoneId: string, filter: { name?: string; type?: DnsRecordType } = {}): Promise<DnsRecord[]> {
    return this.listAll<DnsRecord>(`/zones/${enc(zoneId)}/dns_records`, {
      ...(filter.name === undefined ? {} : { name: normalizeHostname(filter.name) }),
      ...(filter.type === undefined ? {} : { type: filter.type }),
    }, 100);
  }

  /** Creates a record; after a retry, an identical record the lost attempt made is adopted. */
  async createDnsRecord(zoneId: string, record: DnsRecordInput): Promise<DnsRecord> {
    const findIdentical = async () =>
      (await this.listDnsRecords(zoneId, { name: record.name, type: record.type })).find((r) => r.content === record.content);
    try {
      const { result } = await this.transport.call<DnsRecord>({
        method: "POST",
        path: `/zones/${enc(zoneId)}/dns_records`,
        body: record,
        reconcile: async () => {
          const found = await findIdentical();
          return found ? { result: found } : undefined;
        },
      });
      return result;
    } catch (error) {
      if (error instanceof CloudflareApiError && error.hasCode(IDENTICAL_RECORD)) {
        const found = await findIdentical();
        if (found && matches(found, record)) return found;
      }
      throw error;
    }
  }

  /** Replaces every field of a record (PUT). */
  async updateDnsRecord(zoneId: string, id: string, record: DnsRecordInput): Promise<DnsRecord> {
    return (await this.transport.call<DnsRecord>({ method: "PUT", path: `/zones/${enc(zoneId)}/dns_records/${enc(id)}`, body: record })).result;
  }

  /** Deletes a record; resolves false if it did not exist (or a lost earlier attempt removed it). */
  async deleteDnsRecord(zoneId: string, id: string): Promise<boolean> {
    try {
      await this.transport.call<{ id: string }>({ method: "DELETE", path: `/zones/${enc(zoneId)}/dns_records/${enc(id)}` });
      return true;
    } catch (error) {
      if (error instanceof CloudflareApiError && error.hasCode(RECORD_NOT_FOUND)) return false;
      throw error;
    }
  }

  /**
   * Applies deletes, patches, puts and posts as one transaction. Not repeated after an attempt
   * whose outcome is unknown (it might have applied): use syncARecords for a change that must land.
   */
  async batchDnsRecords(zoneId: string, batch: DnsBatch): Promise<DnsBatchResult> {
    return (
      await this.transport.call<DnsBatchResult>({
        method: "POST",
        path: `/zones/${enc(zoneId)}/dns_records/batch`,
        body: batch,
        reconcile: async () => {
          throw new CloudflareError(`Cloudflare POST /zones/${zoneId}/dns_records/batch: the outcome of an attempt is unknown; list the records and plan again`);
        },
      })
    ).result;
  }

  /**
   * Makes the proxied A records of each hostname point at exactly its addresses, in one batch.
   * Only records `options.isOwned` accepts are changed or deleted.
   * A retry after an attempt whose outcome is unknown lists and plans again, so it converges.
   * Refuses (before changing anything) when a CNAME holds one of the names.
   */
  async syncARecords(zoneId: string, desired: DesiredHostname[], options: DnsPlanOptions = {}): Promise<DnsPlan> {
    const plan = async () => {
      const existing = (
        await Promise.all(desired.map((d) => this.listDnsRecords(zoneId, { name: d.hostname })))
      ).flat();
      return planDnsRecords(desired, existing, options);
    };
    let current = await plan();
    if (current.conflicts.length > 0) {
      const names = [...new Set(current.conflicts.map((c) => c.hostname))].join(", ");
      const types = [...new Set(current.conflicts.map((c) => c.type))].join(", ");
      throw new DnsConflictError(`Another record (${types}) already holds ${names}; Slipway will not replace it`, current.conflicts);
    }
    const first = current;
    if (isEmptyPlan(current)) return current;
    await this.transport.call<DnsBatchResult>({
      method: "POST",
      path: `/zones/${enc(zoneId)}/dns_records/batch`,
      body: () => dnsPlanToBatch(current),
      reconcile: async () => {
        current = await plan();
        return isEmptyPlan(current) ? { result: {} } : undefined;
      },
    });
    return first;
  }

  // ---- Origin CA ----

  /** Signs a CSR for the hostnames; after a retry, a certificate the lost attempt issued for the same CSR is adopted. */
  async createOriginCertificate(input: CreateOriginCertificateInput): Promise<OriginCertificate> {
    const validity = input.validityDays ?? 5475;
    if (!(ORIGIN_CA_VALIDITIES as readonly number[]).includes(validity)) {
      throw new CloudflareError(`An origin certificate's validity must be one of ${ORIGIN_CA_VALIDITIES.join(", ")} days, not ${validity}`);
    }
    const hostnames = input.hostnames.map(normalizeHostname);
    const { result } = await this.transport.call<OriginCertificate>({
      method: "POST",
      path: "/certificates",
      body: { csr: input.csr, hostnames, request_type: input.requestType, requested_validity: validity },
      reconcile: async () => {
        const zone = await this.findZoneForHostname(hostnames[0]!);
        if (!zone) return undefined;
        const issued = await this.listAll<OriginCertificate>("/certificates", { zone_id: zone.id });
        const found = issued.find((c) => c.csr.trim() === input.csr.trim());
        return found ? { result: found } : undefined;
      },
    });
    return result;
  }

  /** Revokes an origin certificate; resolves false if it was already revoked or unknown. */
  async revokeOriginCertificate(id: string): Promise<boolean> {
    try {
      await this.transport.call<{ id: string; revoked_at?: string }>({ method: "DELETE", path: `/certificates/${enc(id)}` });
      return true;
    } catch (error) {
      if (error instanceof CloudflareApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** Every item of a page/per_page list (zones and certificates allow at most 50 a page). */
  private async listAll<T>(path: string, query: Record<string, string>, perPage = 50): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const envelope: Envelope<T[]> = await this.transport.call<T[]>({ method: "GET", path, query: { ...query, page, per_page: perPage } });
      items.push(...envelope.result);
      const info = envelope.result_info;
      if (!info || page >= info.total_pages || envelope.result.length === 0) return items;
    }
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function matches(record: DnsRecord, wanted: DnsRecordInput): boolean {
  return record.type === wanted.type && record.content === wanted.content && (wanted.proxied === undefined || record.proxied === wanted.proxied);
}

// DigitalOcean v2 client for provisioning: droplets (created idempotently, only managed ones
// listed or deleted), their actions followed to the end, snapshots, images, keys and tags.
// Request and response shapes come from the generated OpenAPI types (./types.ts).
import { createHash } from "node:crypto";
import type { Dispatcher } from "undici";
import {
  DigitalOceanActionError, DigitalOceanActionTimeoutError, DigitalOceanApiError, DigitalOceanError, UnmanagedDropletError,
} from "./errors.js";
import type { RateBudget } from "../rate-budget.js";
import {
  DIGITALOCEAN_RATE_LIMITS, DigitalOceanTransport, defaultSleep, type ApiResponse, type CallSpec, type RateLimitPolicy, type RetryPolicy,
  type TransportEvent,
} from "./transport.js";
import type {
  Account, Action, Droplet, DropletActionBody, DropletCreateBody, DropletCreateResponse, Image, Region, Size, Snapshot, SshKey, Tag,
} from "./types.js";

export const DEFAULT_MANAGED_TAG = "slipway-managed";
export const DEFAULT_DIGITALOCEAN_API_URL = "https://api.digitalocean.com";

export interface ActionPolicy {
  /** First wait between polls of an in-progress action; grows by half each poll up to maxPollIntervalMs. */
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  /** How long to follow one action before giving up with DigitalOceanActionTimeoutError. */
  timeoutMs: number;
}

export interface DigitalOceanClientOptions {
  /** The API token; the client never puts it in an error or log. */
  token: string;
  apiUrl?: string;
  /** The token's request budget, shared by every client of it (and every replica, in cluster mode). */
  rateBudget: RateBudget;
  /** Droplets without this tag are never listed and are deleted only when forced. */
  managedTag?: string;
  /** Deadline of one HTTP attempt; a hung call is abandoned and retried. Default 30 s. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  rateLimit?: Partial<RateLimitPolicy>;
  actions?: Partial<ActionPolicy>;
  /** Items per page when listing (DigitalOcean allows up to 200). */
  perPage?: number;
  dispatcher?: Dispatcher;
  /** Told about every retry and every wait for the rate limit (for logs and tests). */
  onEvent?: (event: TransportEvent) => void;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CreateDropletsInput {
  /** One to ten names; a managed droplet that already has one of them is adopted, not duplicated. */
  names: string[];
  region: string;
  size: string;
  /** An image slug or id (a snapshot id for provisioning). */
  image: string | number;
  /** SSH key ids or fingerprints. */
  sshKeys?: (string | number)[];
  /** Extra tags; the managed tag is always added. */
  tags?: string[];
  userData?: string;
  monitoring?: boolean;
  ipv6?: boolean;
  vpcUuid?: string;
}

export interface CreateDropletsOptions {
  /** Follow each droplet's create action until it completes (default true). */
  wait?: boolean;
}

export interface ListImagesFilter {
  private?: boolean;
  type?: "distribution" | "application";
  tagName?: string;
}

/** A DigitalOcean fingerprint: MD5 of the public key blob, as colon-separated hex. */
export function sshKeyFingerprint(publicKey: string): string {
  const blob = publicKey.trim().split(/\s+/)[1];
  if (!blob) throw new DigitalOceanError("The SSH public key must look like `type base64 [comment]`");
  return createHash("md5").update(Buffer.from(blob, "base64")).digest("hex").match(/../g)!.join(":");
}

export class DigitalOceanClient {
  readonly managedTag: string;
  private readonly transport: DigitalOceanTransport;
  private readonly actionPolicy: ActionPolicy;
  private readonly perPage: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: DigitalOceanClientOptions) {
    this.managedTag = options.managedTag ?? DEFAULT_MANAGED_TAG;
    this.perPage = options.perPage ?? 200;
    this.sleep = options.sleep ?? defaultSleep;
    this.actionPolicy = { pollIntervalMs: 2_000, maxPollIntervalMs: 15_000, timeoutMs: 20 * 60_000, ...options.actions };
    this.transport = new DigitalOceanTransport({
      apiUrl: (options.apiUrl ?? DEFAULT_DIGITALOCEAN_API_URL).replace(/\/$/, ""),
      token: options.token,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retry: { attempts: 5, baseDelayMs: 500, maxDelayMs: 20_000, ...options.retry },
      budget: options.rateBudget,
      rateLimit: { limits: DIGITALOCEAN_RATE_LIMITS, initialWaitMs: 2_000, maxWaitMs: 60_000, totalWaitMs: 15 * 60_000, ...options.rateLimit },
      dispatcher: options.dispatcher,
      onEvent: options.onEvent,
      random: options.random ?? Math.random,
      sleep: this.sleep,
    });
  }

  // ---- account, keys, tags, catalog ----

  async getAccount(): Promise<Account> {
    return (await this.get<{ account: Account }>("/v2/account")).account;
  }

  async listSshKeys(): Promise<SshKey[]> {
    return this.list<SshKey>("/v2/account/keys", "ssh_keys");
  }

  /** Registers the key once: an account key with the same fingerprint is returned as it is. */
  async ensureSshKey(input: { name: string; publicKey: string }): Promise<SshKey> {
    const fingerprint = sshKeyFingerprint(input.publicKey);
    const existing = await this.findSshKey(fingerprint);
    if (existing) return existing;
    try {
      const { body } = await this.transport.call({
        method: "POST",
        path: "/v2/account/keys",
        body: { name: input.name, public_key: input.publicKey.trim() } satisfies SshKey,
        reconcile: async () => {
          const key = await this.findSshKey(fingerprint);
          return key ? { status: 201, body: { ssh_key: key } } : undefined;
        },
      });
      return (body as { ssh_key: SshKey }).ssh_key;
    } catch (error) {
      // Registered meanwhile (by a concurrent caller): DigitalOcean says the key is in use.
      if (error instanceof DigitalOceanApiError && error.status === 422) {
        const key = await this.findSshKey(fingerprint);
        if (key) return key;
      }
      throw error;
    }
  }

  private async findSshKey(fingerprint: string): Promise<SshKey | undefined> {
    return (await this.getOrUndefined<{ ssh_key: SshKey }>(`/v2/account/keys/${encodeURIComponent(fingerprint)}`))?.ssh_key;
  }

  /** Creates the tag if it does not exist (creating an existing tag returns it). */
  async ensureTag(name: string): Promise<Tag> {
    const { body } = await this.transport.call({ method: "POST", path: "/v2/tags", body: { name } });
    return (body as { tag: Tag }).tag;
  }

  async listRegions(): Promise<Region[]> {
    return this.list<Region>("/v2/regions", "regions");
  }

  async listSizes(): Promise<Size[]> {
    return this.list<Size>("/v2/sizes", "sizes");
  }

  async listImages(filter: ListImagesFilter = {}): Promise<Image[]> {
    return this.list<Image>("/v2/images", "images", {
      private: filter.private === undefined ? undefined : String(filter.private),
      type: filter.type,
      tag_name: filter.tagName,
    });
  }

  async getImage(id: number | string): Promise<Image | undefined> {
    return (await this.getOrUndefined<{ image: Image }>(`/v2/images/${encodeURIComponent(String(id))}`))?.image;
  }

  // ---- snapshots ----

  async listSnapshots(): Promise<Snapshot[]> {
    return this.list<Snapshot>("/v2/snapshots", "snapshots", { resource_type: "droplet" });
  }

  /** Deletes a snapshot; resolves false if it was already gone. */
  async deleteSnapshot(id: number | string): Promise<boolean> {
    return this.deleteOrAbsent(`/v2/snapshots/${encodeURIComponent(String(id))}`);
  }

  // ---- droplets ----

  /** Only droplets carrying the managed tag, across all pages. */
  async listManagedDroplets(): Promise<Droplet[]> {
    const droplets = await this.list<Droplet>("/v2/droplets", "droplets", { tag_name: this.managedTag });
    return droplets.filter((d) => this.isManaged(d));
  }

  /** Any droplet by id (managed or not), or undefined if it does not exist. */
  async getDroplet(id: number): Promise<Droplet | undefined> {
    return (await this.getOrUndefined<{ droplet: Droplet }>(`/v2/droplets/${id}`))?.droplet;
  }

  isManaged(droplet: Pick<Droplet, "tags">): boolean {
    return droplet.tags.includes(this.managedTag);
  }

  /**
   * Creates droplets carrying the managed tag, never twice: managed droplets that already have one
   * of the names are adopted, and before a retried create (a lost response, a timeout, a 5xx) the
   * names are looked up again so a create that took effect is not repeated. With `wait` (default),
   * follows every create action to completion and returns the droplets as they are then.
   */
  async createDroplets(input: CreateDropletsInput, options: CreateDropletsOptions = {}): Promise<Droplet[]> {
    const names = [...new Set(input.names)];
    if (names.length !== input.names.length) throw new DigitalOceanError("Droplet names must be distinct");
    if (names.length < 1 || names.length > 10) throw new DigitalOceanError("Create between 1 and 10 droplets at a time");
    const tags = [...new Set([this.managedTag, ...(input.tags ?? [])])];

    const byName = new Map<string, { droplet: Droplet; actionId?: number }>();
    const adopt = async () => {
      for (const droplet of await this.findManagedByName(names)) {
        if (byName.has(droplet.name)) continue;
        // Same name, other region or size: not the droplet this create meant; never adopt it.
        if (droplet.region.slug !== input.region || droplet.size_slug !== input.size) {
          throw new DigitalOceanError(
            `A managed droplet named ${droplet.name} already exists (${droplet.id}, ${droplet.region.slug}, ${droplet.size_slug}); refusing to adopt it for ${input.region}, ${input.size}`,
          );
        }
        byName.set(droplet.name, { droplet });
      }
    };
    await adopt();

    const missing = names.filter((n) => !byName.has(n));
    if (missing.length > 0) {
      const base = {
        region: input.region,
        size: input.size,
        image: input.image,
        ssh_keys: input.sshKeys ?? [],
        tags,
        ...(input.userData === undefined ? {} : { user_data: input.userData }),
        ...(input.monitoring === undefined ? {} : { monitoring: input.monitoring }),
        ...(input.ipv6 === undefined ? {} : { ipv6: input.ipv6 }),
        ...(input.vpcUuid === undefined ? {} : { vpc_uuid: input.vpcUuid }),
      };
      let toCreate = missing;
      const { body: created } = await this.transport.call({
        method: "POST",
        path: "/v2/droplets",
        body: (): DropletCreateBody => (toCreate.length === 1 ? { ...base, name: toCreate[0]! } : { ...base, names: toCreate }),
        reconcile: async () => {
          await adopt();
          toCreate = names.filter((n) => !byName.has(n));
          // Everything exists now: the earlier attempt took effect, so nothing is sent again.
          return toCreate.length === 0 ? { status: 202, body: { droplets: [], links: { actions: [] } } } : undefined;
        },
      });
      const response = created as DropletCreateResponse;
      const droplets = "droplet" in response && response.droplet ? [response.droplet] : (response.droplets ?? []);
      // One create action per droplet, in the order of the droplets.
      const actions = response.links?.actions ?? [];
      droplets.forEach((droplet, i) => {
        const actionId = actions.length === droplets.length ? actions[i]?.id : undefined;
        byName.set(droplet.name, { droplet, ...(actionId === undefined ? {} : { actionId }) });
      });
    }

    const entries = names.map((n) => byName.get(n)!);
    if (options.wait === false) return entries.map((e) => e.droplet);
    return Promise.all(
      entries.map(async ({ droplet, actionId }) => {
        const id = actionId ?? (await this.findDropletAction(droplet.id, "create"))?.id;
        if (id !== undefined) await this.waitForAction(id);
        const fresh = await this.getDroplet(droplet.id);
        if (!fresh) throw new DigitalOceanError(`Droplet ${droplet.id} (${droplet.name}) disappeared while it was being created`);
        return fresh;
      }),
    );
  }

  /**
   * Deletes a droplet. One without the managed tag is refused (UnmanagedDropletError) unless
   * `force`. Resolves false if the droplet did not exist.
   */
  async deleteDroplet(id: number, options: { force?: boolean } = {}): Promise<boolean> {
    const droplet = await this.getDroplet(id);
    if (!droplet) return false;
    if (!this.isManaged(droplet) && !options.force) throw new UnmanagedDropletError(droplet, this.managedTag);
    return this.deleteOrAbsent(`/v2/droplets/${id}`);
  }

  /**
   * Deletes every droplet with `tag`. A tag other than the managed one is refused when any of its
   * droplets lacks the managed tag, unless `force`.
   */
  async deleteDropletsByTag(tag: string, options: { force?: boolean } = {}): Promise<void> {
    if (tag !== this.managedTag && !options.force) {
      const tagged = await this.list<Droplet>("/v2/droplets", "droplets", { tag_name: tag });
      const unmanaged = tagged.find((d) => !this.isManaged(d));
      if (unmanaged) throw new UnmanagedDropletError(unmanaged, this.managedTag);
    }
    await this.transport.call({ method: "DELETE", path: "/v2/droplets", query: { tag_name: tag } });
  }

  async powerOffDroplet(id: number): Promise<Action> {
    return this.runDropletAction(id, { type: "power_off" });
  }

  async shutdownDroplet(id: number): Promise<Action> {
    return this.runDropletAction(id, { type: "shutdown" });
  }

  async powerOnDroplet(id: number): Promise<Action> {
    return this.runDropletAction(id, { type: "power_on" });
  }

  /** Snapshots the droplet, follows the action, and returns the snapshot it made. */
  async snapshotDroplet(id: number, name: string): Promise<Snapshot> {
    const action = await this.runDropletAction(id, { type: "snapshot", name });
    const snapshot = (await this.listSnapshots()).find((s) => s.name === name && String(s.resource_id) === String(id));
    if (!snapshot) throw new DigitalOceanError(`Snapshot action ${action.id} completed but no snapshot named "${name}" was found`);
    return snapshot;
  }

  /**
   * Starts a droplet action and follows it to completion. A retry after an attempt whose outcome
   * is unknown first looks for an action of that type the attempt may have started, and adopts it.
   */
  async runDropletAction(id: number, body: DropletActionBody): Promise<Action> {
    const before = new Set((await this.listDropletActions(id)).filter((a) => a.type === body.type).map((a) => a.id));
    const { body: started } = await this.transport.call({
      method: "POST",
      path: `/v2/droplets/${id}/actions`,
      body,
      reconcile: async () => {
        const action = (await this.listDropletActions(id)).find((a) => a.type === body.type && !before.has(a.id));
        return action ? { status: 201, body: { action } } : undefined;
      },
    });
    const action = (started as { action: Action }).action;
    return this.waitForAction(action.id!);
  }

  async listDropletActions(id: number): Promise<Action[]> {
    return this.list<Action>(`/v2/droplets/${id}/actions`, "actions");
  }

  async getAction(id: number): Promise<Action> {
    return (await this.get<{ action: Action }>(`/v2/actions/${id}`)).action;
  }

  /**
   * Polls an action until it is "completed" (returned) or "errored" (DigitalOceanActionError),
   * waiting longer between polls as it goes on.
   */
  async waitForAction(id: number): Promise<Action> {
    const { pollIntervalMs, maxPollIntervalMs, timeoutMs } = this.actionPolicy;
    const deadline = Date.now() + timeoutMs;
    let interval = pollIntervalMs;
    for (;;) {
      const action = await this.getAction(id);
      if (action.status === "completed") return action;
      if (action.status === "errored") throw new DigitalOceanActionError(action);
      if (Date.now() + interval > deadline) throw new DigitalOceanActionTimeoutError(action, timeoutMs);
      await this.sleep(interval);
      interval = Math.min(maxPollIntervalMs, Math.round(interval * 1.5));
    }
  }

  // ---- plumbing ----

  private async findManagedByName(names: string[]): Promise<Droplet[]> {
    const wanted = new Set(names);
    return (await this.listManagedDroplets()).filter((d) => wanted.has(d.name));
  }

  private async findDropletAction(id: number, type: string): Promise<Action | undefined> {
    return (await this.listDropletActions(id)).filter((a) => a.type === type).sort((a, b) => (b.id ?? 0) - (a.id ?? 0))[0];
  }

  private async get<T>(path: string, query?: CallSpec["query"]): Promise<T> {
    return (await this.transport.call({ method: "GET", path, ...(query ? { query } : {}) })).body as T;
  }

  private async getOrUndefined<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (error) {
      if (error instanceof DigitalOceanApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** DELETE that treats 404 as "already gone" (also after a retry whose first attempt worked). */
  private async deleteOrAbsent(path: string): Promise<boolean> {
    try {
      await this.transport.call({ method: "DELETE", path });
      return true;
    } catch (error) {
      if (error instanceof DigitalOceanApiError && error.status === 404) return false;
      throw error;
    }
  }

  /** Every item of a paginated list, following links.pages.next. */
  private async list<T>(path: string, key: string, query: CallSpec["query"] = {}): Promise<T[]> {
    const items: T[] = [];
    let next: ApiResponse | undefined = await this.transport.call({ method: "GET", path, query: { ...query, per_page: this.perPage } });
    const seen = new Set<string>();
    while (next) {
      const page = next.body as Record<string, unknown> & { links?: { pages?: { next?: string } } };
      items.push(...((page[key] as T[] | undefined) ?? []));
      const link = page.links?.pages?.next;
      if (!link || seen.has(link)) break;
      seen.add(link);
      next = await this.transport.call({ method: "GET", path: link });
    }
    return items;
  }
}

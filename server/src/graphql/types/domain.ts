import type { Certificate } from "../../generated/prisma/client.js";
import { hostnamesOf } from "../../domain/domains/certificates.js";
import { listDomainStatuses, type DomainStatus } from "../../domain/domains/list-domain-statuses.js";
import { previewDomains, type DomainLinePreview } from "../../domain/domains/preview-domains.js";
import { setDomains } from "../../domain/domains/set-domains.js";
import { builder } from "../builder.js";
import { ConflictError, NotFoundError, ValidationError } from "../errors.js";
import { ServiceNode } from "./service.js";
import { viewerOf } from "../viewer.js";

// The private key has no field: it lives encrypted on the row and only travels to the agents.
const OriginCertificateObject = builder.objectRef<Certificate>("OriginCertificate").implement({
  description: "A Cloudflare Origin CA certificate the servers present for a service's domains.",
  fields: (t) => ({
    hostnames: t.stringList({ resolve: (certificate) => hostnamesOf(certificate) }),
    expiresAt: t.expose("expiresAt", { type: "DateTime" }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
  }),
});

const DomainStatusObject = builder.objectRef<DomainStatus>("DomainStatus").implement({
  fields: (t) => ({
    hostname: t.exposeString("hostname"),
    configured: t.exposeBoolean("configured", { description: "In the service's settings; takes effect at the next deploy." }),
    live: t.exposeBoolean("live", { description: "Served by the deployment running now." }),
    dnsRecordsSynced: t.exposeBoolean("dnsRecordsSynced", {
      nullable: true,
      description: "Whether the last DNS sync (at each deploy and rollback) put this live hostname's A records in step; null before any.",
    }),
    dnsCheckedAt: t.expose("dnsCheckedAt", { type: "DateTime", nullable: true }),
    certificate: t.field({ type: OriginCertificateObject, nullable: true, resolve: (status) => status.certificate }),
  }),
});

builder.objectField(ServiceNode, "domainStatuses", (t) =>
  t.field({
    type: [DomainStatusObject],
    description: "Each configured or live host name: DNS and certificate state.",
    resolve: (service, _args, ctx) => listDomainStatuses(ctx.deps, service.id),
  }),
);

builder.mutationField("setDomains", (t) =>
  t.field({
    type: ServiceNode,
    description:
      "Replaces the host names that route to the service. They take effect with the next deploy or rollback, which routes them, " +
      "gets their origin certificate and points their Cloudflare DNS at the servers.",
    authScopes: { scope: "projects:write" },
    errors: { types: [ValidationError, NotFoundError, ConflictError] },
    args: {
      serviceId: t.arg.globalID({ required: true, for: ServiceNode }),
      hostnames: t.arg.stringList({ required: true }),
      adopt: t.arg.stringList({
        description: "Admins only: names among `hostnames` whose existing DNS records (not made by Slipway) Slipway may take over.",
      }),
    },
    resolve: (_root, args, ctx) => setDomains(ctx.deps, viewerOf(ctx), { serviceId: args.serviceId.id, hostnames: args.hostnames, adopt: args.adopt ?? [] }),
  }),
);

const CloudflareCoverageEnum = builder.enumType("CloudflareCoverage", {
  values: {
    COVERED: { description: "The verified Cloudflare token holds the zone: records and a certificate are made." },
    NOT_COVERED: { description: "The token holds no zone for this host name." },
    NO_TOKEN: { description: "No Cloudflare token is stored." },
    TOKEN_NOT_VERIFIED: { description: "A token is stored but not verified (refused, or not reachable)." },
    UNKNOWN: { description: "Cloudflare could not be asked now." },
  } as const,
});

const DomainLinePreviewObject = builder.objectRef<DomainLinePreview>("DomainLinePreview").implement({
  description: "One line of a domains editor, read before saving.",
  fields: (t) => ({
    line: t.exposeString("line"),
    hostname: t.exposeString("hostname", { nullable: true, description: "What the line stands for (https:// and a trailing / dropped)." }),
    problem: t.exposeString("problem", { nullable: true }),
    zone: t.exposeString("zone", { nullable: true }),
    coverage: t.field({ type: CloudflareCoverageEnum, resolve: (preview) => preview.coverage }),
    dns: t.exposeString("dns", { description: "The DNS the next deploy makes for it, in words." }),
  }),
});

builder.queryField("domainsPreview", (t) =>
  t.field({
    type: [DomainLinePreviewObject],
    description: "Reads a domains editor's lines before saving: every bad line, the DNS each name gets, and whether Cloudflare covers its zone.",
    authScopes: { scope: "read" },
    args: { serviceId: t.arg.globalID({ required: true, for: ServiceNode }), lines: t.arg.stringList({ required: true }) },
    resolve: (_root, args, ctx) => previewDomains(ctx.deps, { serviceId: args.serviceId.id, lines: args.lines }),
  }),
);

import { ORIGIN_CA_VALIDITIES } from "@slipway/cloudflare-api";
import { z } from "zod";
import { isHostname } from "../dns-validation.js";
import { CloudflareError, ok, paged } from "../envelope.js";
import type { CertificateRecord } from "../state.js";
import { requestPath, zoneOrRouteError, type RouteContext } from "./context.js";

const VALIDITIES = ORIGIN_CA_VALIDITIES;

const createSchema = z.object({
  csr: z.string().min(1),
  hostnames: z.array(z.string()).min(1).max(100),
  request_type: z.enum(["origin-rsa", "origin-ecc"]),
  requested_validity: z.number().default(5475),
});

/** Cloudflare's expiry format, e.g. "2027-02-27 04:05:00 +0000 UTC". */
function cloudflareTime(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} +0000 UTC`;
}

function publicView(cert: CertificateRecord) {
  const { revokedAt: _revoked, ...shown } = cert;
  return shown;
}

export function registerCertificateRoutes(ctx: RouteContext): void {
  const { router, state, ca } = ctx;
  const live = (id: string | undefined) => {
    const cert = state.certificates.get(id ?? "");
    if (!cert || cert.revokedAt) throw new CloudflareError(404, 1003, "Certificate not found.");
    return cert;
  };

  router.add("POST", "/certificates", async (req) => {
    const parsed = createSchema.safeParse(req.body);
    if (!parsed.success) {
      throw new CloudflareError(400, 1001, "Invalid request.", parsed.error.issues.map((i) => ({ code: 1001, message: `${i.path.join(".")}: ${i.message}` })));
    }
    const input = parsed.data;
    if (!(VALIDITIES as readonly number[]).includes(input.requested_validity)) {
      throw new CloudflareError(400, 1010, `requested_validity must be one of ${VALIDITIES.join(", ")} days.`);
    }
    const hostnames = input.hostnames.map((h) => h.toLowerCase());
    for (const hostname of hostnames) {
      if (!isHostname(hostname) || !state.zoneOf(hostname)) {
        throw new CloudflareError(400, 1010, `Hostname ${hostname} is not a valid name in a zone of this account.`);
      }
    }
    const signed = await ca.sign(input.csr, hostnames, input.requested_validity, input.request_type);
    const cert: CertificateRecord = {
      // Cloudflare identifies an origin certificate by its serial number, in decimal.
      id: BigInt(`0x${signed.serialNumber}`).toString(10),
      csr: input.csr,
      hostnames,
      request_type: input.request_type,
      requested_validity: input.requested_validity as CertificateRecord["requested_validity"],
      certificate: signed.toString("pem"),
      expires_on: cloudflareTime(signed.notAfter),
    };
    state.certificates.set(cert.id, cert);
    return ok(publicView(cert));
  });

  router.add("GET", "/certificates", (req) => {
    const zone = zoneOrRouteError(state, req.query.get("zone_id") ?? undefined, requestPath(req));
    const inZone = [...state.certificates.values()].filter(
      (c) => !c.revokedAt && c.hostnames.some((h) => state.zoneOf(h)?.id === zone.id),
    );
    return paged(inZone.map(publicView), req.query, 20);
  });

  router.add("GET", "/certificates/{certificate_id}", (req) => ok(publicView(live(req.params.certificate_id))));

  router.add("DELETE", "/certificates/{certificate_id}", (req) => {
    const cert = live(req.params.certificate_id);
    cert.revokedAt = new Date();
    return ok({ id: cert.id, revoked_at: cert.revokedAt.toISOString() });
  });
}

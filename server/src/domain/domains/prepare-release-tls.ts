// The "certificate" step of a deploy or rollback: the origin certificate its domains are served
// with over HTTPS. Reused while valid and covering them; issued (or renewed) otherwise.
import type { Certificate, Deployment } from "../../generated/prisma/client.js";
import { normalizeHostname } from "../../integrations/cloudflare/index.js";
import type { Deps } from "../deps.js";
import type { OperationContext } from "../ports.js";
import {
  DEFAULT_CERTIFICATE_POLICY, findCertificateCovering, hostnamesOf, issueCertificate, linkCertificate, openCertificate, renewalThreshold,
  type CertificatePolicy, type TlsMaterial,
} from "./certificates.js";
import { openCloudflare } from "./cloudflare-access.js";

export const CERTIFICATE_STEP = "certificate";

type Release = Pick<Deployment, "serviceId" | "domains">;

/**
 * The TLS material for a release, or null when it has no domains (or none Cloudflare can certify,
 * or no Cloudflare credential is set: then a warning, and HTTP only). Throws when a certificate is
 * needed, Cloudflare cannot issue one and no stored one is still valid: before any server changes.
 */
export async function prepareReleaseTls(
  deps: Deps,
  ctx: OperationContext,
  release: Release,
  policy: CertificatePolicy = DEFAULT_CERTIFICATE_POLICY,
): Promise<TlsMaterial | null> {
  const domains = domainsOf(release);
  if (domains.length === 0) return null;
  const emit = (message: string, level: "INFO" | "WARN" = "INFO") => ctx.emit({ step: CERTIFICATE_STEP, level, message });
  const renewBy = renewalThreshold(policy);

  const current = await findCertificateCovering(deps, domains, renewBy);
  if (current) {
    await emit(`Reusing the origin certificate for ${hostnamesOf(current).join(", ")} (valid until ${current.expiresAt.toISOString()})`);
    return use(deps, ctx, release, current);
  }
  // Still valid, though due for renewal: good enough when Cloudflare cannot give a new one.
  const fallback = await findCertificateCovering(deps, domains, new Date());

  const cloudflare = await openCloudflare(deps, ctx.emit.bind(ctx), CERTIFICATE_STEP);
  if (!cloudflare) {
    if (fallback) {
      await emit(`No Cloudflare credential is set: reusing the certificate that expires ${fallback.expiresAt.toISOString()}`, "WARN");
      return use(deps, ctx, release, fallback);
    }
    await emit(`No Cloudflare credential is set: ${domains.join(", ")} get no origin certificate and are served over HTTP only`, "WARN");
    return null;
  }

  try {
    const certifiable: string[] = [];
    for (const hostname of domains) {
      if (await cloudflare.zoneFor(hostname)) certifiable.push(hostname);
      else await emit(`No zone of the Cloudflare account holds ${hostname}: Origin CA cannot certify it`, "WARN");
    }
    if (certifiable.length === 0) return null;
    const covering = certifiable.length < domains.length ? await findCertificateCovering(deps, certifiable, renewBy) : null;
    if (covering) {
      await emit(`Reusing the origin certificate for ${hostnamesOf(covering).join(", ")} (valid until ${covering.expiresAt.toISOString()})`);
      return use(deps, ctx, release, covering);
    }

    await emit(`${fallback ? "Renewing" : "Requesting"} an origin certificate for ${certifiable.join(", ")} (${policy.validityDays} days)`);
    const issued = await issueCertificate(deps, cloudflare.client, certifiable, policy);
    await emit(`Issued origin certificate for ${certifiable.join(", ")}, valid until ${issued.expiresAt.toISOString()}`);
    return use(deps, ctx, release, issued);
  } catch (error) {
    if (!fallback) throw new Error(`Could not get an origin certificate for ${domains.join(", ")}: ${(error as Error).message}`);
    await emit(`Could not renew the origin certificate (${(error as Error).message}); reusing the one that expires ${fallback.expiresAt.toISOString()}`, "WARN");
    return use(deps, ctx, release, fallback);
  }
}

/** For putting back an earlier release: its stored certificate if still valid; never issues. */
export async function storedReleaseTls(deps: Deps, release: Release): Promise<TlsMaterial | null> {
  const domains = domainsOf(release);
  if (domains.length === 0) return null;
  const certificate = await findCertificateCovering(deps, domains, new Date());
  return certificate ? openCertificate(deps, certificate) : null;
}

async function use(deps: Deps, ctx: OperationContext, release: Release, certificate: Certificate): Promise<TlsMaterial> {
  await linkCertificate(deps, release.serviceId, certificate);
  const tls = openCertificate(deps, certificate);
  ctx.redact(tls.privateKeyPem);
  return tls;
}

function domainsOf(release: Release): string[] {
  return [...new Set((release.domains as string[]).map(normalizeHostname))].sort();
}

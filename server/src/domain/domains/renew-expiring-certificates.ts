// Renewal outside deploys: replaces certificates in use that are close to expiry. A deploy renews
// on its own (prepareReleaseTls); this is for services that are not deployed for a long time.
import type { Deps } from "../deps.js";
import {
  DEFAULT_CERTIFICATE_POLICY, hostnamesOf, issueCertificate, renewalThreshold, type CertificatePolicy,
} from "./certificates.js";
import { logReport, openCloudflare } from "./cloudflare-access.js";

export interface RenewalSummary {
  renewed: { serviceId: string; hostnames: string[]; expiresAt: Date }[];
  failed: { serviceId: string; hostnames: string[]; error: string }[];
  /** True when no Cloudflare credential is set (nothing was tried). */
  skipped: boolean;
}

/**
 * Issues a replacement for every certificate a service's domains use that expires within the
 * policy's window, and links the domains to it. Servers get the new certificate with the
 * service's next release: the returned services are the ones to redeploy.
 */
export async function renewExpiringCertificates(deps: Deps, policy: CertificatePolicy = DEFAULT_CERTIFICATE_POLICY): Promise<RenewalSummary> {
  const summary: RenewalSummary = { renewed: [], failed: [], skipped: false };
  const expiring = await deps.db.serviceDomain.findMany({
    where: { certificate: { expiresAt: { lte: renewalThreshold(policy) } } },
    include: { certificate: true },
  });
  if (expiring.length === 0) return summary;
  const cloudflare = await openCloudflare(deps, logReport(deps), "certificate");
  if (!cloudflare) {
    deps.log.warn("No Cloudflare credential is set: expiring origin certificates cannot be renewed");
    return { ...summary, skipped: true };
  }
  // One replacement per (service, certificate): the domains that shared a certificate share the next.
  const groups = new Map<string, { serviceId: string; certificateId: string; hostnames: string[] }>();
  for (const domain of expiring) {
    const key = `${domain.serviceId}|${domain.certificateId}`;
    groups.set(key, { serviceId: domain.serviceId, certificateId: domain.certificateId!, hostnames: hostnamesOf(domain.certificate!) });
  }
  for (const { serviceId, certificateId, hostnames } of groups.values()) {
    try {
      const renewed = await issueCertificate(deps, cloudflare.client, hostnames, policy);
      await deps.db.serviceDomain.updateMany({ where: { serviceId, certificateId }, data: { certificateId: renewed.id } });
      summary.renewed.push({ serviceId, hostnames, expiresAt: renewed.expiresAt });
    } catch (error) {
      summary.failed.push({ serviceId, hostnames, error: (error as Error).message });
    }
  }
  return summary;
}

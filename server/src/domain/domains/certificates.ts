// Origin certificates as Slipway stores them: the private key is made here, encrypted at rest,
// and only ever leaves the control plane inside a release request to a server's agent.
import { X509Certificate } from "node:crypto";
import type { Certificate } from "../../generated/prisma/client.js";
import { generateOriginCsr, normalizeHostname, type CloudflareClient, type OriginCaValidityDays } from "../../integrations/cloudflare/index.js";
import type { Deps } from "../deps.js";

const KEY_PURPOSE = "certificate-key";
const DAY_MS = 86_400_000;

export interface CertificatePolicy {
  /** What Origin CA is asked for. */
  validityDays: OriginCaValidityDays;
  /** A certificate this close to expiry is replaced at the next deploy or renewal run. */
  renewWithinDays: number;
}

// A year: long enough that renewal is rare, short enough that a leaked key does not live for 15.
export const DEFAULT_CERTIFICATE_POLICY: CertificatePolicy = { validityDays: 365, renewWithinDays: 30 };

export interface TlsMaterial {
  certificatePem: string;
  privateKeyPem: string;
}

export function hostnamesOf(certificate: Pick<Certificate, "hostnames">): string[] {
  return certificate.hostnames as string[];
}

/** A stored certificate covering every hostname and valid at least until `validUntil`; the longest-lived one. */
export async function findCertificateCovering(deps: Deps, hostnames: string[], validUntil: Date): Promise<Certificate | null> {
  const wanted = hostnames.map(normalizeHostname);
  const candidates = await deps.db.certificate.findMany({ where: { expiresAt: { gt: validUntil } }, orderBy: { expiresAt: "desc" } });
  return candidates.find((c) => wanted.every((h) => hostnamesOf(c).includes(h))) ?? null;
}

export function renewalThreshold(policy: CertificatePolicy, now = new Date()): Date {
  return new Date(now.getTime() + policy.renewWithinDays * DAY_MS);
}

/** Makes a key and CSR here, has Origin CA sign it, and stores both (the key encrypted). */
export async function issueCertificate(deps: Deps, client: CloudflareClient, hostnames: string[], policy: CertificatePolicy): Promise<Certificate> {
  const csr = await generateOriginCsr(hostnames);
  const issued = await client.createOriginCertificate({
    csr: csr.csrPem,
    hostnames: csr.hostnames,
    requestType: csr.requestType,
    validityDays: policy.validityDays,
  });
  return deps.db.certificate.create({
    data: {
      providerId: issued.id,
      hostnames: csr.hostnames,
      certificatePem: issued.certificate,
      privateKeyEncrypted: deps.secrets.encrypt(csr.privateKeyPem, KEY_PURPOSE),
      expiresAt: new Date(new X509Certificate(issued.certificate).validTo),
    },
  });
}

/** The certificate and its key in clear, for a release request only. */
export function openCertificate(deps: Deps, certificate: Certificate): TlsMaterial {
  return { certificatePem: certificate.certificatePem, privateKeyPem: deps.secrets.decrypt(certificate.privateKeyEncrypted, KEY_PURPOSE) };
}

/** Points the service's domain rows for these hostnames at the certificate. */
export async function linkCertificate(deps: Deps, serviceId: string, certificate: Certificate): Promise<void> {
  await deps.db.serviceDomain.updateMany({ where: { serviceId, hostname: { in: hostnamesOf(certificate) } }, data: { certificateId: certificate.id } });
}

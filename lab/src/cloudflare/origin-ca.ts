// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { CloudflareError } from "./envelope.js";

// The lab's stand-in for Cloudflare's Origin CA: one CA key and certificate, made once and kept
// in the state directory, that signs CSRs for the hostnames asked for. Clients that should trust
// lab origin certificates trust `certificatePem`.

const crypto = webcrypto;
x509.cryptoProvider.set(globalThis.crypto);

const CA_KEY_ALGORITHM = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGNING_ALGORITHM = { name: "ECDSA", hash: "SHA-256" } as const;
const CA_SUBJECT = "CN=Slipway Lab Origin CA, OU=Slipway Lab Origin CA, O=Slipway Lab";

export type OriginRequestType = "origin-rsa" | "origin-ecc";

export class OriginCertificateAuthority {
  private constructor(
    private readonly key: webcrypto.CryptoKey,
    private readonly certificate: x509.X509Certificate,
  ) {}

  get certificatePem(): string {
    return this.certificate.toString("pem");
  }

  /** Loads the CA from `stateDir`, creating and saving it there the first time; in memory if no dir. */
  static async open(stateDir?: string): Promise<OriginCertificateAuthority> {
    const keyPath = stateDir && join(stateDir, "origin-ca.key.pem");
    const certPath = stateDir && join(stateDir, "origin-ca.cert.pem");
    if (keyPath && certPath) {
      const saved = await Promise.all([readFile(keyPath, "utf8"), readFile(certPath, "utf8")]).catch(() => undefined);
      if (saved) {
        const der = x509.PemConverter.decodeFirst(saved[0]);
        const key = await crypto.subtle.importKey("pkcs8", der, CA_KEY_ALGORITHM, true, ["sign"]);
        return new OriginCertificateAuthority(key, new x509.X509Certificate(saved[1]));
      }
    }
    const keys = (await crypto.subtle.generateKey(CA_KEY_ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
    const now = new Date();
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serialNumber(),
      name: CA_SUBJECT,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 20 * 365 * 86_400_000),
      keys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    if (stateDir && keyPath && certPath) {
      await mkdir(stateDir, { recursive: true });
      const pkcs8 = await crypto.subtle.exportKey("pkcs8", keys.privateKey);
      await writeFile(keyPath, x509.PemConverter.encode(pkcs8, "PRIVATE KEY"), { mode: 0o600 });
      await writeFile(certPath, certificate.toString("pem"));
    }
    return new OriginCertificateAuthority(keys.privateKey, certificate);
  }

  /** Signs `csrPem` for `hostnames` (as DNS SANs), valid for `validityDays` from now. */
  async sign(csrPem: string, hostnames: string[], validityDays: number, requestType: OriginRequestType): Promise<x509.X509Certificate> {
    let csr: x509.Pkcs10CertificateRequest;
    try {
      csr = new x509.Pkcs10CertificateRequest(csrPem);
    } catch {
      throw new CloudflareError(400, 1001, "Unable to decode the CSR.");
    }
    if (!(await csr.verify())) throw new CloudflareError(400, 1002, "The CSR signature is invalid.");
    const keyType = csr.publicKey.algorithm.name === "ECDSA" ? "origin-ecc" : "origin-rsa";
    if (keyType !== requestType) {
      throw new CloudflareError(400, 1014, `The CSR's key does not match request_type ${requestType}.`);
    }
    const notBefore = new Date();
    return x509.X509CertificateGenerator.create({
      serialNumber: serialNumber(),
      subject: `CN=${hostnames[0]}, OU=Slipway Lab Origin CA, O=Slipway Lab`,
      issuer: this.certificate.subject,
      notBefore,
      notAfter: new Date(notBefore.getTime() + validityDays * 86_400_000),
      publicKey: csr.publicKey,
      signingKey: this.key,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension(hostnames.map((value) => ({ type: "dns" as const, value }))),
        await x509.SubjectKeyIdentifierExtension.create(csr.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.certificate),
      ],
    });
  }
}

/** A positive random 20-byte serial, like Cloudflare's (the high bit cleared so it is not read as negative). */
function serialNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString("hex");
}

// A private key and certificate signing request for Cloudflare's Origin CA, made on the control
// plane: the key never leaves it except to be installed on the servers' nginx.
// @peculiar/x509 resolves its providers through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { OriginCaRequestType } from "./types.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export type OriginKeyType = "ecdsa-p256" | "rsa-2048";

export interface OriginCsr {
  /** PKCS#8 PEM ("PRIVATE KEY"), what nginx's ssl_certificate_key reads. */
  privateKeyPem: string;
  csrPem: string;
  /** What to ask the Origin CA for with this key. */
  requestType: OriginCaRequestType;
  hostnames: string[];
}

// A DNS name or a wildcard over one: also keeps the subject string free of DN syntax.
const HOSTNAME = /^(\*\.)?(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;

export async function generateOriginCsr(hostnames: string[], keyType: OriginKeyType = "ecdsa-p256"): Promise<OriginCsr> {
  const names = [...new Set(hostnames.map((h) => h.trim().toLowerCase()))];
  if (names.length === 0) throw new TypeError("An origin certificate needs at least one hostname");
  for (const name of names) {
    if (name.length > 253 || !HOSTNAME.test(name)) throw new TypeError(`${JSON.stringify(name)} is not a hostname`);
  }
  const ecdsa = keyType === "ecdsa-p256";
  const algorithm = ecdsa
    ? { name: "ECDSA", namedCurve: "P-256" }
    : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${names[0]}`,
    keys: keys as unknown as CryptoKeyPair,
    signingAlgorithm: ecdsa ? { name: "ECDSA", hash: "SHA-256" } : algorithm,
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: "dns" as const, value })))],
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return {
    privateKeyPem: x509.PemConverter.encode(pkcs8, "PRIVATE KEY"),
    csrPem: csr.toString("pem"),
    requestType: ecdsa ? "origin-ecc" : "origin-rsa",
    hostnames: names,
  };
}

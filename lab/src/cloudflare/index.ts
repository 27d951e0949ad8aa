export { startCloudflareSimulator, CLOUDFLARE_API_PREFIX, type CloudflareSimulator, type CloudflareSimulatorOptions } from "./simulator.js";
export { OriginCertificateAuthority } from "./origin-ca.js";
export type { CloudflareState, LabRecord } from "./state.js";

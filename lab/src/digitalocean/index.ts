export { startDigitalOceanSimulator, type DigitalOceanSimulator, type DigitalOceanSimulatorOptions } from "./simulator.js";
export { NullHostProvider } from "./null-host-provider.js";
export { DigitalOceanSpec } from "./openapi.js";
export { DigitalOceanFaults } from "./faults.js";
export type { CutOffHook } from "./lifecycle.js";
export type { DigitalOceanState } from "./state.js";
export type { components as DigitalOceanSchemas } from "@slipway/digitalocean-api";

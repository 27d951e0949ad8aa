export * from "./index.js";
export { createClient, type ClientOptions, type SlipwayClient } from "./client.js";

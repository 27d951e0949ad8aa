// Browser-safe: the typed documents and their types. The Node client is at "@slipway/sdk/client".
export * from "./generated/graphql.js";
export { SlipwayGraphQLError, SlipwayTransportError } from "./errors.js";
export * from "./progress/index.js";

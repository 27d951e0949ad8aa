// Names for the DigitalOcean shapes Slipway uses, all taken from the generated OpenAPI types
// (`npm run generate -w @slipway/digitalocean-api` regenerates them).
import type { components, operations } from "@slipway/digitalocean-api";

type Schemas = components["schemas"];

export type Account = Schemas["account"];
export type Action = Schemas["action"];
export type ActionStatus = NonNullable<Action["status"]>;
export type Droplet = Schemas["droplet"];
export type DropletCreateBody = Schemas["droplet_single_create"] | Schemas["droplet_multi_create"];
export type DropletActionBody = Schemas["droplet_action_snapshot"];
export type DropletActionType = Schemas["droplet_action"]["type"];
export type Image = Schemas["image"];
export type Region = Schemas["region"];
export type Size = Schemas["size"];
export type Snapshot = Schemas["snapshots"];
export type SshKey = Schemas["sshKeys"];
export type Tag = Schemas["tags"];
export type ActionLink = Schemas["action_link"];
export type ApiErrorBody = Schemas["error"];

/** The JSON body of an operation's response with the given status. */
export type ResponseBody<Op extends keyof operations, Status extends keyof operations[Op]["responses"]> =
  operations[Op]["responses"][Status] extends { content: { "application/json": infer Body } } ? Body : never;

export type DropletCreateResponse = ResponseBody<"droplets_create", 202>;

// What any client may ask before signing in: the limits it must stay under, where the console is.
import { getLimits, type Limits } from "../../domain/limits/get-limits.js";
import { builder } from "../builder.js";

const LimitsObject = builder.objectRef<Limits>("Limits").implement({
  description: "What the API refuses as too large; clients check these before sending.",
  fields: (t) => ({
    maxRequestBytes: t.exposeInt("maxRequestBytes", { description: "The largest JSON request body." }),
    maxArchiveBytes: t.exposeInt("maxArchiveBytes", { description: "The largest uploaded archive (tar.gz or zip), as sent." }),
    maxArchiveUnpackedBytes: t.exposeInt("maxArchiveUnpackedBytes", { description: "The most an archive may unpack to." }),
    maxArchiveEntries: t.exposeInt("maxArchiveEntries", { description: "The most files and folders an archive may hold." }),
  }),
});

builder.queryField("limits", (t) =>
  t.field({
    type: LimitsObject,
    description: "Public: a client reads it before signing in or uploading.",
    authScopes: { public: true },
    resolve: (_root, _args, ctx) => getLimits(ctx.deps.config),
  }),
);

builder.queryField("consoleUrl", (t) =>
  t.string({
    description: "Where the web console is (SLIPWAY_CONSOLE_URL); public, so clients can link to it.",
    authScopes: { public: true },
    resolve: (_root, _args, ctx) => ctx.deps.config.consoleUrl,
  }),
);

import { readNetworkPolicy, setAllowPrivateTargets, type NetworkPolicy } from "../../domain/settings/network-policy.js";
import { builder } from "../builder.js";
import { viewerOf } from "../viewer.js";

const NetworkPolicyObject = builder.objectRef<NetworkPolicy>("NetworkPolicy").implement({
  fields: (t) => ({
    allowPrivateTargets: t.exposeBoolean("allowPrivateTargets", {
      description: "Whether adoptServer and git sources may reach loopback, link-local and private addresses.",
    }),
  }),
});

builder.queryField("networkPolicy", (t) =>
  t.field({ type: NetworkPolicyObject, authScopes: { scope: "admin" }, resolve: (_root, _args, ctx) => readNetworkPolicy(ctx.deps) }),
);

builder.mutationField("setNetworkPolicy", (t) =>
  t.field({
    type: NetworkPolicyObject,
    description: "Admins: let adoptServer and git sources reach private addresses (a private network, the lab), or stop them.",
    authScopes: { scope: "admin" },
    args: { allowPrivateTargets: t.arg.boolean({ required: true }) },
    resolve: (_root, args, ctx) => setAllowPrivateTargets(ctx.deps, viewerOf(ctx).userId, args.allowPrivateTargets),
  }),
);

import { builder } from "./builder.js";
import "./errors.js";
import "./types/scalars.js";
import "./types/user.js";
import "./types/api-token.js";
import "./types/credential.js";
import "./types/project.js";
import "./types/service.js";
import "./types/deploy-config.js";
import "./types/operation.js";
import "./types/server.js";
import "./types/deployment.js";
import "./types/snapshot.js";
import "./types/provisioning.js";
import "./types/domain.js";
import "./types/public-info.js";
import "./types/overview.js";
import "./types/audit.js";
import "./types/settings.js";
import "./types/autoscaling.js";
import "./types/metrics.js";

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

export const schema = builder.toSchema({ sortSchema: true });

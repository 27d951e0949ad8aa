import type { Deps } from "../deps.js";
import { registerOperation } from "../operations/run-operation.js";
import { CREATE_SNAPSHOT_HANDLER, runCreateSnapshot, type SnapshotJob } from "./create-snapshot.js";
import { DELETE_SERVER_HANDLER, runDeleteServer, type DeleteServerJob } from "./delete-server.js";
import { PROVISION_HANDLER, runProvisionServers, type ProvisionJob } from "./provision-servers.js";

export function registerProvisioningOperations(deps: Deps): void {
  registerOperation<SnapshotJob>(deps, CREATE_SNAPSHOT_HANDLER, async (ctx, job) => void (await runCreateSnapshot(deps, ctx, job)));
  registerOperation<ProvisionJob>(deps, PROVISION_HANDLER, (ctx, job) => runProvisionServers(deps, ctx, job));
  registerOperation<DeleteServerJob>(deps, DELETE_SERVER_HANDLER, (ctx, job) => runDeleteServer(deps, ctx, job));
}

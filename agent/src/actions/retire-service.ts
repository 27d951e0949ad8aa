// POST /v1/services/:service/retire: the service stops being served here, gently. Its nginx site
// goes first (checked with `nginx -t`, reloaded; old workers finish their in-flight requests),
// then its containers get `drainSeconds` more before they are stopped. Used before a server that
// autoscaling created is destroyed; a server keeps its other services.
import { setTimeout as sleep } from "node:timers/promises";
import { isServiceTlsFile, nginxReloadCommand, nginxTestCommand, sitePath, tlsDir } from "../commands/nginx.js";
import { AgentFailure } from "../errors.js";
import type { RetireResult } from "../protocol/index.js";
import { serviceContainers, stopAndRemove } from "./containers.js";
import type { AgentDeps } from "./deps.js";
import { nginxMasterPid, nginxWorkers, waitForReload } from "./nginx-workers.js";

export async function retireService(deps: AgentDeps, service: string, drainSeconds: number): Promise<RetireResult> {
  const siteRemoved = await deps.locks.run("nginx", async () => {
    const path = sitePath(deps.nginxDir, service);
    const previous = await deps.exec.readFile(path);
    if (previous === null) return false;
    await deps.exec.removeFile(path);
    const test = await deps.exec.run(nginxTestCommand(deps.nginxDir));
    if (test.exitCode !== 0) {
      await deps.exec.writeFile({ path, contents: previous });
      throw new AgentFailure("nginx_error", `nginx -t rejected the configuration without ${service}: ${test.stderr.trim()}`);
    }
    const master = await nginxMasterPid(deps.exec, deps.nginxDir);
    const before = master === null ? null : new Set((await nginxWorkers(deps.exec, master)).keys());
    const reload = await deps.exec.run(nginxReloadCommand(deps.nginxDir));
    if (reload.exitCode !== 0) {
      await deps.exec.writeFile({ path, contents: previous });
      throw new AgentFailure("nginx_error", `nginx reload failed: ${reload.stderr.trim()}`);
    }
    if (master !== null && before !== null) await waitForReload(deps.exec, master, before);
    for (const name of await deps.exec.listDir(tlsDir(deps.nginxDir))) {
      if (isServiceTlsFile(service, name)) await deps.exec.removeFile(`${tlsDir(deps.nginxDir)}/${name}`);
    }
    return true;
  });
  await sleep(drainSeconds * 1000);
  const stopped: string[] = [];
  for (const container of await serviceContainers(deps.engine, service)) {
    deps.standbys.release(container.id); // a paused standby goes too (resumed first, so it stops gracefully)
    await stopAndRemove(deps.engine, container.id);
    stopped.push(container.id);
  }
  return { siteRemoved, stoppedContainers: stopped };
}

// The agent's own health: version, uptime, whether Docker answers, whether nginx's config passes.
import { nginxTestCommand } from "../commands/nginx.js";
import { messageOf } from "../errors.js";
import type { HealthResponse } from "../protocol/index.js";
import { AGENT_VERSION } from "../version.js";
import type { AgentDeps } from "./deps.js";

export async function health(deps: AgentDeps): Promise<HealthResponse> {
  const [docker, nginx] = await Promise.all([
    deps.engine.version().then(
      (version) => ({ ok: true, version, error: null }),
      (e: unknown) => ({ ok: false, version: null, error: messageOf(e) }),
    ),
    deps.exec.run(nginxTestCommand(deps.nginxDir)).then((r) =>
      r.exitCode === 0 ? { ok: true, error: null } : { ok: false, error: r.stderr.trim() || `nginx -t exited ${r.exitCode}` },
    ),
  ]);
  return { version: AGENT_VERSION, uptimeSeconds: Math.round((Date.now() - deps.startedAt) / 1000), docker, nginx };
}

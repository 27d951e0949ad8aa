import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agentConfigFile, agentUnitFile, buildAgentBootstrap } from "../src/domain/servers/agent-bootstrap-plan.js";

const config = { port: 7420, tokenSha256: "a".repeat(64), dockerSocket: "/var/run/docker.sock", nginxDir: "/etc/nginx" };

describe("the agent bootstrap plan", () => {
  it("writes the bundle, the shim and the config with exact modes, as root", () => {
    const plan = buildAgentBootstrap({ bundleLocalPath: "/build/slipway-agent.mjs", config, sshUser: "root" });
    expect(plan.install).toEqual([
      { kind: "run", step: "folders", description: "Create /opt/slipway", argv: ["mkdir", "-p", "/opt/slipway/agent", "/opt/slipway/bin", "/opt/slipway/log"] },
      {
        kind: "upload",
        step: "upload",
        description: "Upload the agent bundle, its shim and its configuration",
        files: [
          { path: "/opt/slipway/agent/slipway-agent.mjs", localPath: "/build/slipway-agent.mjs", mode: 0o644 },
          { path: "/opt/slipway/bin/slipway-agent", contents: '#!/bin/sh\nexec node --max-semi-space-size=1 --max-old-space-size=64 /opt/slipway/agent/slipway-agent.mjs "$@"\n', mode: 0o755 },
          { path: "/opt/slipway/agent.json", contents: agentConfigFile(config), mode: 0o600 },
        ],
      },
    ]);
    expect(JSON.parse(agentConfigFile(config))).toEqual(config);
  });

  it("starts the agent with systemd when the server runs it", () => {
    const plan = buildAgentBootstrap({ bundleLocalPath: "/b.mjs", config, sshUser: "root" });
    expect(plan.detectInit.argv).toEqual(["sh", "-c", "if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi"]);
    expect(plan.start.systemd).toEqual([
      {
        kind: "upload",
        step: "service",
        description: "Write /etc/systemd/system/slipway-agent.service",
        files: [{ path: "/etc/systemd/system/slipway-agent.service", contents: agentUnitFile(), mode: 0o644 }],
      },
      { kind: "run", step: "service", description: "Reload systemd", argv: ["systemctl", "daemon-reload"] },
      { kind: "run", step: "service", description: "Enable the agent at boot", argv: ["systemctl", "enable", "slipway-agent.service"] },
      { kind: "run", step: "start", description: "Start (or restart) the agent", argv: ["systemctl", "restart", "slipway-agent.service"] },
    ]);
    expect(agentUnitFile()).toContain("ExecStart=/opt/slipway/bin/slipway-agent\nRestart=always\n");
  });

  it("without systemd, stops the previous agent by its pidfile and starts a detached one", () => {
    const plan = buildAgentBootstrap({ bundleLocalPath: "/b.mjs", config, sshUser: "root" });
    const [stop, start] = plan.start.detached;
    expect(stop!.kind === "run" && stop!.argv.slice(0, 2)).toEqual(["sh", "-c"]);
    expect(start).toEqual({
      kind: "run",
      step: "start",
      description: "Start the agent detached",
      argv: [
        "sh",
        "-c",
        "setsid -f sh -c 'echo $$ >/run/slipway-agent.pid; exec /opt/slipway/bin/slipway-agent' >>/opt/slipway/log/agent.log 2>&1 </dev/null",
      ],
    });
  });

  it("stages files and uses sudo -n for a non-root user", () => {
    const plan = buildAgentBootstrap({ bundleLocalPath: "/b.mjs", config, sshUser: "deploy", stagingDir: "/tmp/slipway-agent-install-0123456789abcdef" });
    expect(plan.install.map((step) => (step.kind === "run" ? step.argv : step.files.map((f) => f.path)))).toEqual([
      ["sudo", "-n", "mkdir", "-p", "/opt/slipway/agent", "/opt/slipway/bin", "/opt/slipway/log"],
      ["mkdir", "-m", "700", "/tmp/slipway-agent-install-0123456789abcdef"],
      [
        "/tmp/slipway-agent-install-0123456789abcdef/opt__slipway__agent__slipway-agent.mjs",
        "/tmp/slipway-agent-install-0123456789abcdef/opt__slipway__bin__slipway-agent",
        "/tmp/slipway-agent-install-0123456789abcdef/opt__slipway__agent.json",
      ],
      ["sudo", "-n", "install", "-D", "-m", "0644", "/tmp/slipway-agent-install-0123456789abcdef/opt__slipway__agent__slipway-agent.mjs", "/opt/slipway/agent/slipway-agent.mjs"],
      ["sudo", "-n", "install", "-D", "-m", "0755", "/tmp/slipway-agent-install-0123456789abcdef/opt__slipway__bin__slipway-agent", "/opt/slipway/bin/slipway-agent"],
      ["sudo", "-n", "install", "-D", "-m", "0600", "/tmp/slipway-agent-install-0123456789abcdef/opt__slipway__agent.json", "/opt/slipway/agent.json"],
      ["rm", "-rf", "/tmp/slipway-agent-install-0123456789abcdef"],
    ]);
    expect(plan.start.systemd.at(-1)).toMatchObject({ argv: ["sudo", "-n", "systemctl", "restart", "slipway-agent.service"] });
  });

  it("has only shell scripts that sh parses", () => {
    for (const user of ["root", "deploy"]) {
      const plan = buildAgentBootstrap({ bundleLocalPath: "/b.mjs", config, sshUser: user, stagingDir: "/tmp/slipway-agent-install-0123456789abcdef" });
      const steps = [plan.prerequisites, plan.detectInit, ...plan.install, ...plan.start.systemd, ...plan.start.detached];
      for (const step of steps) {
        if (step.kind !== "run") continue;
        const at = step.argv.indexOf("-c");
        if (step.argv[at - 1] !== "sh") continue;
        expect(() => execFileSync("/bin/sh", ["-n", "-c", step.argv[at + 1]!]), step.description).not.toThrow();
      }
    }
  });

  it("has a prerequisites script that names what is missing (run locally with a PATH lacking them)", () => {
    const plan = buildAgentBootstrap({ bundleLocalPath: "/b.mjs", config, sshUser: "root" });
    const bin = mkdtempSync(path.join(tmpdir(), "slipway-prereq-"));
    try {
      // Only node and the shell's helpers exist on this PATH: docker and nginx are missing.
      writeFileSync(path.join(bin, "node"), `#!/bin/sh\nexec ${process.execPath} "$@"\n`, { mode: 0o755 });
      let failure: { status: number; stdout: Buffer } | undefined;
      try {
        execFileSync("/bin/sh", plan.prerequisites.argv.slice(1), { env: { PATH: bin } });
      } catch (error) {
        failure = error as { status: number; stdout: Buffer };
      }
      expect(failure?.status).toBe(3);
      expect(failure?.stdout.toString()).toBe("missing: docker nginx\n");
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});

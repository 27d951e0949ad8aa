// The agent's installation on a server, as data: files to write and argv to run. Built by a pure
// function and tested by exact output; install-agent.ts is the only code that executes it.
import {
  AGENT_BUNDLE_PATH, AGENT_CONFIG_PATH, AGENT_ROOT, AGENT_SHIM_CONTENTS, AGENT_SHIM_PATH,
} from "@slipway/agent/layout";
import { shellQuote } from "../../integrations/ssh/shell-quote.js";
import type { UploadFile } from "../../integrations/ssh/connection.js";

export const AGENT_UNIT_PATH = "/etc/systemd/system/slipway-agent.service";
export const AGENT_UNIT_NAME = "slipway-agent.service";
/** Without systemd: the detached agent's pid (on /run, so a reboot forgets it) and its log. */
export const AGENT_PIDFILE = "/run/slipway-agent.pid";
export const AGENT_LOG_PATH = `${AGENT_ROOT}/log/agent.log`;
/**
 * Where a non-root user's files wait before `sudo install` puts them in place: a name no one can
 * guess, made fresh (`mkdir` without -p fails on a folder someone else prepared in /tmp).
 */
export function stagingDirFor(random: string): string {
  return `/tmp/slipway-agent-install-${random}`;
}

/** Exit codes of the prerequisites check, and what its stdout then says. */
export const PREREQUISITE_EXIT = { missing: 3, oldNode: 4 } as const;
export const MIN_NODE_MAJOR = 20;

export interface AgentConfigFile {
  port: number;
  /** sha256 (hex) of the bearer token: the token itself never reaches the server. */
  tokenSha256: string;
  dockerSocket: string;
  nginxDir: string;
}

export interface AgentInstallSpec {
  /** The built bundle on the control plane's machine (agent/dist/slipway-agent.mjs). */
  bundleLocalPath: string;
  config: AgentConfigFile;
  sshUser: string;
  /** For a non-root user: the private staging folder (stagingDirFor with fresh random hex). */
  stagingDir?: string;
}

export type BootstrapStep =
  | { kind: "run"; step: string; description: string; argv: string[] }
  | { kind: "upload"; step: string; description: string; files: UploadFile[] };

export interface BootstrapPlan {
  /** Exits PREREQUISITE_EXIT.missing ("missing: docker nginx") or .oldNode ("node: v18.19.0"). */
  prerequisites: BootstrapStep & { kind: "run" };
  /** Prints "systemd" when the server was booted by systemd, "none" otherwise. */
  detectInit: BootstrapStep & { kind: "run" };
  install: BootstrapStep[];
  /** Run after `install`, depending on what detectInit printed. */
  start: { systemd: BootstrapStep[]; detached: BootstrapStep[] };
}

const PREREQUISITES_SCRIPT = [
  "missing=",
  "for program in docker nginx node; do",
  '  command -v "$program" >/dev/null 2>&1 || missing="$missing $program"',
  "done",
  `if [ -n "$missing" ]; then echo "missing:$missing"; exit ${PREREQUISITE_EXIT.missing}; fi`,
  `if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt ${MIN_NODE_MAJOR} ]; then echo "node: $(node --version)"; exit ${PREREQUISITE_EXIT.oldNode}; fi`,
  'echo "node: $(node --version)"',
].join("\n");

// sd_booted(3): systemd is the init system exactly when this directory exists.
const DETECT_INIT_SCRIPT = "if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi";

// Stops an agent started earlier without systemd: the one in the pidfile, and whichever process
// listens on the agent's port in this network namespace (the lab starts one at boot without a
// pidfile). Only processes whose command line is the agent's are signalled; a reused pid is not.
function stopDetachedScript(port: number): string {
  return [
    `pids="$(cat ${AGENT_PIDFILE} 2>/dev/null) $(ss -Hltnp 'sport = :${port}' 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2)"`,
    "for pid in $pids; do",
    '  tr "\\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -q slipway-agent || continue',
    '  kill "$pid" 2>/dev/null',
    "  i=0",
    '  while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done',
    '  kill -9 "$pid" 2>/dev/null',
    "done",
    `rm -f ${AGENT_PIDFILE}`,
    "exit 0",
  ].join("\n");
}

export function agentUnitFile(): string {
  return [
    "[Unit]",
    "Description=Slipway agent",
    "After=network-online.target docker.service nginx.service",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    `ExecStart=${AGENT_SHIM_PATH}`,
    "Restart=always",
    "RestartSec=2",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

export function agentConfigFile(config: AgentConfigFile): string {
  const { port, tokenSha256, dockerSocket, nginxDir } = config;
  return JSON.stringify({ port, tokenSha256, dockerSocket, nginxDir }, null, 2) + "\n";
}

/** The whole installation (or upgrade: the same steps replace every file and restart the agent). */
export function buildAgentBootstrap(spec: AgentInstallSpec): BootstrapPlan {
  const root = spec.sshUser === "root";
  const privileged = (argv: string[]) => (root ? argv : ["sudo", "-n", ...argv]);
  const files: UploadFile[] = [
    { path: AGENT_BUNDLE_PATH, localPath: spec.bundleLocalPath, mode: 0o644 },
    { path: AGENT_SHIM_PATH, contents: AGENT_SHIM_CONTENTS, mode: 0o755 },
    { path: AGENT_CONFIG_PATH, contents: agentConfigFile(spec.config), mode: 0o600 },
  ];
  const unit: UploadFile = { path: AGENT_UNIT_PATH, contents: agentUnitFile(), mode: 0o644 };
  const staging = spec.stagingDir ?? "";
  if (!root && !/^\/tmp\/slipway-agent-install-[0-9a-f]{16,}$/.test(staging)) throw new Error("A non-root install needs a fresh random staging folder");
  const stagedPath = (target: string) => `${staging}/${target.replace(/^\//, "").replaceAll("/", "__")}`;

  const put = (step: string, description: string, toWrite: UploadFile[]): BootstrapStep[] =>
    root
      ? [{ kind: "upload", step, description, files: toWrite }]
      : [
          { kind: "run", step, description: "Prepare a private staging folder", argv: ["mkdir", "-m", "700", staging] },
          { kind: "upload", step, description, files: toWrite.map((file) => ({ ...file, path: stagedPath(file.path) })) },
          ...toWrite.map((file): BootstrapStep => ({
            kind: "run",
            step,
            description: `Install ${file.path}`,
            argv: privileged(["install", "-D", "-m", file.mode.toString(8).padStart(4, "0"), stagedPath(file.path), file.path]),
          })),
          { kind: "run", step, description: "Remove the staging folder", argv: ["rm", "-rf", staging] },
        ];

  return {
    prerequisites: { kind: "run", step: "prerequisites", description: "Check that docker, nginx and node are installed", argv: ["sh", "-c", PREREQUISITES_SCRIPT] },
    detectInit: { kind: "run", step: "init-system", description: "Detect systemd", argv: ["sh", "-c", DETECT_INIT_SCRIPT] },
    install: [
      {
        kind: "run",
        step: "folders",
        description: `Create ${AGENT_ROOT}`,
        argv: privileged(["mkdir", "-p", `${AGENT_ROOT}/agent`, `${AGENT_ROOT}/bin`, `${AGENT_ROOT}/log`]),
      },
      ...put("upload", "Upload the agent bundle, its shim and its configuration", files),
    ],
    start: {
      systemd: [
        ...put("service", `Write ${AGENT_UNIT_PATH}`, [unit]),
        { kind: "run", step: "service", description: "Reload systemd", argv: privileged(["systemctl", "daemon-reload"]) },
        { kind: "run", step: "service", description: "Enable the agent at boot", argv: privileged(["systemctl", "enable", AGENT_UNIT_NAME]) },
        { kind: "run", step: "start", description: "Start (or restart) the agent", argv: privileged(["systemctl", "restart", AGENT_UNIT_NAME]) },
      ],
      detached: [
        { kind: "run", step: "start", description: "Stop the agent started earlier, if any", argv: privileged(["sh", "-c", stopDetachedScript(spec.config.port)]) },
        { kind: "run", step: "start", description: "Start the agent detached", argv: privileged(["sh", "-c", detachedStartScript()]) },
      ],
    },
  };
}

function detachedStartScript(): string {
  // The inner shell records its own pid, then becomes the agent (exec keeps the pid).
  const launcher = shellQuote(["sh", "-c", `echo $$ >${AGENT_PIDFILE}; exec ${AGENT_SHIM_PATH}`]);
  return `setsid -f ${launcher} >>${shellQuote([AGENT_LOG_PATH])} 2>&1 </dev/null`;
}

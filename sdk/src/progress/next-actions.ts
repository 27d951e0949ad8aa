// What a person can do next about an operation, from its kind, its end and its progress. The
// console offers these as buttons and links on the operation's page; the CLI can print them.
import type { Progress } from "./reduce-progress.js";

export type NextAction =
  /** Install the agent again (the upgradeAgent mutation): same host, same pinned key. */
  | { kind: "retry-install"; serverId: string }
  /** Remove the server from Slipway (deleteServer; an adopted host is only forgotten). */
  | { kind: "delete-server"; serverId: string }
  | { kind: "open-server"; serverId: string };

const INSTALLS = new Set(["ADOPT", "UPGRADE_AGENT"]);
const MAKES_SERVERS = new Set(["ADOPT", "UPGRADE_AGENT", "PROVISION"]);

export function nextActions(operation: { kind: string; status: string }, progress: Progress): NextAction[] {
  // Someone chose to stop it: nothing to repair or retry.
  if (operation.status === "CANCELLED" || progress.outcome?.cancelled) return [];
  const failed = operation.status === "FAILED" || operation.status === "INTERRUPTED" || progress.outcome?.ok === false;
  const succeeded = operation.status === "SUCCEEDED" || progress.outcome?.ok === true;
  const servers = progress.lanes.flatMap((lane) => (lane.serverId === null ? [] : [lane]));
  const troubled = servers.filter((lane) => lane.steps.some((s) => s.status === "failed")).map((lane) => lane.serverId!);
  if (failed) {
    // An install that failed before any step on its server still concerns that server.
    const concerned = troubled.length > 0 ? troubled : INSTALLS.has(operation.kind) ? servers.map((l) => l.serverId!) : [];
    return concerned.flatMap((serverId): NextAction[] => [
      ...(INSTALLS.has(operation.kind) ? [{ kind: "retry-install" as const, serverId }] : []),
      ...(MAKES_SERVERS.has(operation.kind) ? [{ kind: "delete-server" as const, serverId }] : []),
      { kind: "open-server", serverId },
    ]);
  }
  if (succeeded && MAKES_SERVERS.has(operation.kind)) return servers.map((lane) => ({ kind: "open-server", serverId: lane.serverId! }));
  return [];
}

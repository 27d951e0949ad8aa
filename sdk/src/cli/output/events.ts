import type { DeploymentStatus, OperationEventFieldsFragment } from "../../generated/graphql.js";
import { releaseStateLabel } from "../../progress/index.js";
import { shortId } from "../global-ids.js";

export type OperationEvent = OperationEventFieldsFragment;

/** How a followed deploy or rollback ended. */
export interface Outcome {
  kind: "deploy" | "rollback";
  deploymentId: string;
  operationId: string;
  service: string;
  status: DeploymentStatus;
  error: string | null;
  imageTag: string;
  targets: readonly { serverId: string; state: string; error: string | null }[];
}

/** A server's name when known, else the start of its id; events without a server are the control plane's. */
export function serverLabel(serverId: string | null, names: ReadonlyMap<string, string>): string {
  if (!serverId) return "slipway";
  return names.get(serverId) ?? serverId.slice(0, 8);
}

export function formatProgress(progress: number | null): string {
  return progress == null ? "" : `${Math.round(Math.min(Math.max(progress, 0), 1) * 100)}%`;
}

/** One event as one line of text, for logs and terminals that are not interactive. */
export function formatEventLine(event: OperationEvent, names: ReadonlyMap<string, string>): string {
  const time = event.createdAt.slice(11, 19);
  const level = event.level === "INFO" || event.level === "DEBUG" ? "" : ` ${event.level}`;
  const progress = formatProgress(event.progress);
  const state = event.releaseState ? ` (${event.releaseState.toLowerCase()})` : "";
  return `${time}${level} [${serverLabel(event.serverId, names)}] ${event.step}${state}: ${event.message}${progress ? ` (${progress})` : ""}`;
}

export function formatStarted(kind: Outcome["kind"], service: string, deploymentId: string, operationId: string): string {
  const verb = kind === "deploy" ? "Deploying" : "Rolling back";
  return `${verb} ${service}: deployment ${deploymentId}, operation ${operationId}`;
}

export function formatOutcome(outcome: Outcome, names: ReadonlyMap<string, string>): string {
  const done = outcome.kind === "deploy" ? "Deployed" : "Rolled back";
  if (outcome.status === "SUCCEEDED") return `${done} ${outcome.service}: ${outcome.imageTag} is live (deployment ${outcome.deploymentId})`;
  const lines = [`${outcome.kind === "deploy" ? "Deploy" : "Rollback"} of ${outcome.service} ${outcome.status}: ${outcome.error ?? "no reason given"}`];
  for (const target of outcome.targets) {
    lines.push(`  ${serverLabel(target.serverId, names)}: ${releaseStateLabel(target.state).toLowerCase()}${target.error ? ` (${target.error})` : ""}`);
  }
  return lines.join("\n");
}

export function startedJson(kind: Outcome["kind"], service: string, deploymentId: string, operationId: string): string {
  return JSON.stringify({ type: "started", kind, service, deploymentId, operationId });
}

export function eventJson(event: OperationEvent): string {
  return JSON.stringify({ type: "event", ...event });
}

export function outcomeJson(outcome: Outcome, exitCode: number): string {
  return JSON.stringify({ type: "summary", ...outcome, exitCode });
}

/** How a followed operation (other than a deploy or rollback) ended. */
export interface OperationEnd {
  operationId: string;
  title: string;
  status: string;
  error: string | null;
}

export function formatOperationEnd(end: OperationEnd): string {
  return end.status === "SUCCEEDED" ? `${end.title}: done` : `${end.title}: ${end.status}${end.error ? ` (${end.error})` : ""}`;
}

export function operationEndJson(end: OperationEnd, exitCode: number): string {
  return JSON.stringify({ type: "summary", ...end, exitCode });
}

/** An operation just asked to stop, as cancelOperation answered. */
export interface CancelRequest {
  id: string;
  title: string;
  status: string;
}

/** What a cancel did: ended a queued operation at once, or asked a running one to stop. `asked` is the id the user gave. */
export function formatCancelRequest(operation: CancelRequest, asked: string): string {
  if (operation.status === "CANCELLED") return `Cancelled: ${operation.title} (operation ${shortId(operation.id)})`;
  return `Cancel requested: ${operation.title} stops at its next safe point and puts its servers back; follow it with \`slipway logs --follow ${asked}\``;
}

export function cancelRequestJson(operation: CancelRequest): string {
  return JSON.stringify({ operationId: operation.id, title: operation.title, status: operation.status });
}

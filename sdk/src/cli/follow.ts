import type { SlipwayClient } from "../client.js";
import { OperationDocument, OperationSubjectDocument, type DeploymentStartedFieldsFragment } from "../generated/graphql.js";
import { ExitCode } from "./exit-codes.js";
import {
  eventJson, formatEventLine, formatOperationEnd, operationEndJson, type OperationEnd, type Outcome,
} from "./output/events.js";
import type { Reporter } from "./output/reporters.js";

/** Streams a started deploy or rollback to the reporter until it ends; its exit code tells how it went. */
export async function followRelease(
  client: SlipwayClient,
  kind: Outcome["kind"],
  started: DeploymentStartedFieldsFragment,
  reporter: Reporter,
): Promise<ExitCode> {
  const service = `${started.deployment.service.project.name}/${started.deployment.service.name}`;
  reporter.started(kind, service, started.deployment.id, started.operation.id);
  for await (const event of client.operationEvents(started.operation.id)) reporter.event(event);

  const subject = (await client.request(OperationSubjectDocument, { id: started.deployment.id })).node;
  const deployment = subject?.__typename === "Deployment" ? subject : started.deployment;
  const outcome: Outcome = {
    kind,
    deploymentId: deployment.id,
    operationId: started.operation.id,
    service,
    status: deployment.status,
    error: deployment.error,
    imageTag: deployment.imageTag,
    targets: deployment.targets.map((target) => ({ serverId: target.server.id, state: target.state, error: target.error })),
  };
  const exitCode = outcome.status === "SUCCEEDED" ? ExitCode.Ok : ExitCode.Failed;
  reporter.finished(outcome, exitCode);
  return exitCode;
}

/** Prints an operation's events as lines (or JSON) until it ends; its exit code tells how it went. */
export async function followOperation(client: SlipwayClient, operationId: string, json: boolean, names: ReadonlyMap<string, string>): Promise<ExitCode> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  for await (const event of client.operationEvents(operationId)) write(json ? eventJson(event) : formatEventLine(event, names));
  const node = (await client.request(OperationDocument, { id: operationId })).node;
  const end: OperationEnd = { operationId, title: node?.title ?? operationId, status: node?.status ?? "UNKNOWN", error: node?.error ?? null };
  const exitCode = end.status === "SUCCEEDED" ? ExitCode.Ok : ExitCode.Failed;
  write(json ? operationEndJson(end, exitCode) : formatOperationEnd(end));
  return exitCode;
}

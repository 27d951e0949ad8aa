import Link from "next/link";
import type { DeploymentFieldsFragment } from "@slipway/sdk";
import { operationPath, servicePath } from "@/lib/paths";
import { EmptyState } from "../EmptyState";
import { RelativeTime } from "../RelativeTime";
import { StatusBadge } from "../StatusBadge";
import { RollbackButton } from "./RollbackButton";

const SOURCE_WORDS = { ARCHIVE: "archive", GIT: "git", IMAGE: "image" } as const;

export function DeploymentTable({
  deployments,
  filtered,
}: {
  deployments: DeploymentFieldsFragment[];
  filtered: boolean;
}) {
  if (deployments.length === 0) {
    return (
      <EmptyState title={filtered ? "No deployments match" : "No deployments yet"}>
        <p>{filtered ? "Try another service or status." : <>Start one from the <Link href="/deploy">Deploy</Link> tab.</>}</p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Deployments, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Source</th>
            <th scope="col">Image</th>
            <th scope="col">Started</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {deployments.map((deployment) => (
            <tr key={deployment.id}>
              <td data-label="Service">
                <Link href={servicePath(deployment.service)}>
                  {deployment.service.project.name} / {deployment.service.name}
                </Link>
                {deployment.restored ? <span className="badge badge--quiet">rollback</span> : null}
                {deployment.pinned ? <span className="badge badge--quiet">pinned</span> : null}
              </td>
              <td data-label="Status">
                <StatusBadge status={deployment.status} />
                {deployment.error ? <p className="table__error">{deployment.error}</p> : null}
              </td>
              <td data-label="Source">
                {SOURCE_WORDS[deployment.sourceType]} <code className="truncate">{deployment.sourceRef}</code>
              </td>
              <td data-label="Image">
                <code>{deployment.imageTag.split(":").at(-1)}</code>
              </td>
              <td data-label="Started">
                <RelativeTime iso={deployment.createdAt} />
              </td>
              <td>
                <div className="table__actions">
                  {deployment.operation ? (
                  <Link className="button button--secondary button--small" href={operationPath(deployment.operation.id)}>
                    View<span className="visually-hidden"> deployment {deployment.imageTag}</span>
                  </Link>
                ) : null}
                {deployment.status === "SUCCEEDED" ? <RollbackButton deployment={deployment} /> : null}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

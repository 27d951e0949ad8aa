"use client";

import Link from "next/link";
import { useMemo } from "react";
import { useQuery } from "urql";
import { ProjectsDocument } from "@slipway/sdk";
import { describeRequestError } from "@/lib/errors";
import { EmptyState } from "../EmptyState";
import { ErrorState } from "../ErrorState";
import { LoadingState } from "../LoadingState";
import { RelativeTime } from "../RelativeTime";
import { projectPath } from "@/lib/paths";

const PAGE_SIZE = 25;

export function ProjectListPage({
  after,
  isFirst,
  isLast,
  onLoadMore,
}: {
  after: string | null;
  isFirst: boolean;
  isLast: boolean;
  onLoadMore: (cursor: string) => void;
}) {
  // Listed so that creating the first project refreshes an empty list too.
  const context = useMemo(() => ({ additionalTypenames: ["Project"] }), []);
  const [{ data, error, fetching }, refetch] = useQuery({
    query: ProjectsDocument,
    variables: { first: PAGE_SIZE, after },
    context,
  });

  if (error && !data) {
    return (
      <ErrorState
        title="Couldn't load projects"
        message={describeRequestError(error)}
        onRetry={() => refetch({ requestPolicy: "network-only" })}
      />
    );
  }
  if (!data) return <LoadingState label="Loading projects" />;

  const { edges, pageInfo, totalCount } = data.projects;
  if (isFirst && edges.length === 0) {
    return (
      <EmptyState title="No projects yet">
        <p>A project groups the services you deploy together.</p>
        <Link className="button button--primary" href="/projects/new">
          Create your first project
        </Link>
      </EmptyState>
    );
  }

  return (
    <>
      {isFirst ? (
        <p className="list-summary">
          {totalCount === 1 ? "1 project" : `${totalCount} projects`}
        </p>
      ) : null}
      <ul className="card-list" aria-label={isFirst ? "Projects" : "More projects"}>
        {edges.map(({ node }) => (
          <li key={node.id} className="card">
            <h2 className="card__title">
              <Link href={projectPath(node)}>{node.name}</Link>
            </h2>
            <p className="card__body">{node.description || <span className="muted">No description</span>}</p>
            <p className="card__meta">
              Created <RelativeTime iso={node.createdAt} />
            </p>
          </li>
        ))}
      </ul>
      {isLast && pageInfo.hasNextPage && pageInfo.endCursor ? (
        <div className="load-more">
          <button
            type="button"
            className="button button--secondary"
            disabled={fetching}
            onClick={() => pageInfo.endCursor && onLoadMore(pageInfo.endCursor)}
          >
            Show more projects
          </button>
        </div>
      ) : null}
    </>
  );
}

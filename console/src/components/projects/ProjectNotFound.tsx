import Link from "next/link";
import { EmptyState } from "../EmptyState";

export function ProjectNotFound() {
  return (
    <EmptyState title="Project not found">
      <p>It may have been deleted, or the link is wrong.</p>
      <Link href="/">Back to projects</Link>
    </EmptyState>
  );
}

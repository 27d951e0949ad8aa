import type { Operation, OperationKind, OperationStatus } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import { NotFoundError } from "../errors.js";

export async function getOperationOrThrow<Q extends object>(deps: Deps, id: string, query?: Q): Promise<Operation> {
  const operation = await deps.db.operation.findUnique({ ...query, where: { id } });
  if (!operation) throw new NotFoundError("Operation");
  return operation;
}

export interface OperationFilter {
  kind?: OperationKind | null;
  status?: OperationStatus | null;
}

export async function listOperations<Q extends object>(deps: Deps, filter: OperationFilter, query: Q): Promise<Operation[]> {
  return deps.db.operation.findMany({
    ...query,
    where: { kind: filter.kind ?? undefined, status: filter.status ?? undefined },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

import type { z } from "zod";
import type { OperationKind } from "../../generated/prisma/client.js";
import type { Deps } from "../deps.js";
import type { OperationContext } from "../ports.js";

export type { OperationContext };

/**
 * One kind of long operation, defined once: its name (how the queue and the database refer to
 * it), its kind (what the API shows), its input and what it does. Each lives in one
 * `<verb>-<noun>-operation.ts` file; app.ts registers the list.
 */
export interface OperationDescriptor<I = any> {
  name: string;
  kind: OperationKind;
  input: z.ZodType<I>;
  run(deps: Deps, ctx: OperationContext, input: I): Promise<void>;
  /**
   * After the replica running it died (its lease expired): bring what it touched to a consistent
   * state, on the replica that noticed. The operation then ends INTERRUPTED; it is never re-run.
   */
  recover?(deps: Deps, ctx: OperationContext, input: I): Promise<void>;
}

export function defineOperation<I>(descriptor: OperationDescriptor<I>): OperationDescriptor<I> {
  return descriptor;
}

/** The operations this control plane can run, by name (built in app.ts). */
export type OperationRegistry = ReadonlyMap<string, OperationDescriptor>;

export function operationRegistry(descriptors: readonly OperationDescriptor[]): OperationRegistry {
  const registry = new Map<string, OperationDescriptor>();
  for (const descriptor of descriptors) {
    if (registry.has(descriptor.name)) throw new Error(`Two operations are named "${descriptor.name}"`);
    registry.set(descriptor.name, descriptor);
  }
  return registry;
}

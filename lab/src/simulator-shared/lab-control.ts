import { ZodError } from "zod";
import type { FaultController } from "./faults.js";
import type { IncomingCall } from "./server.js";
import type { Reply } from "./router.js";

// The fault control API over HTTP, under /_lab/faults (outside any provider's path space):
//   GET    /_lab/faults  -> { faults: FaultRule[] }
//   POST   /_lab/faults  {kind, times?, status?, match?} -> 201 { fault }
//   DELETE /_lab/faults  -> 204
export const LAB_PREFIX = "/_lab/";

export function handleLabControl(call: IncomingCall, faults: FaultController, kinds: readonly string[]): Reply {
  if (call.path !== "/_lab/faults") return { status: 404, body: { error: "no such lab endpoint" } };
  switch (call.method) {
    case "GET":
      return { status: 200, body: { faults: faults.list() } };
    case "DELETE":
      faults.clear();
      return { status: 204 };
    case "POST": {
      const kind = (call.body as { kind?: unknown } | undefined)?.kind;
      if (typeof kind !== "string" || !kinds.includes(kind)) {
        return { status: 400, body: { error: `kind must be one of ${kinds.join(", ")}` } };
      }
      try {
        return { status: 201, body: { fault: faults.inject(call.body as { kind: string }) } };
      } catch (error) {
        const message = error instanceof ZodError ? error.issues.map((i) => i.message).join("; ") : String(error);
        return { status: 400, body: { error: message } };
      }
    }
    default:
      return { status: 405, body: { error: "method not allowed" } };
  }
}

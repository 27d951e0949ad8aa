// The control plane as the cluster benchmarks run it: the product's runServer() plus the bench-only
// operation, compiled like production (bench/cluster/support.ts builds it into bench/dist), with
// a small loopback HTTP endpoint that starts that operation:
//   POST http://127.0.0.1:$SLIPWAY_BENCH_CONTROL_PORT/  {"count":2000,"intervalMs":5}  ->  {"operationId":"…"}
import { createServer } from "node:http";
import { startOperation } from "../../server/src/domain/operations/start-operation.js";
import { runServer } from "../../server/src/run-server.js";
import { emitEventsOperation } from "./emit-events-operation.js";

const app = await runServer({ extraOperations: [emitEventsOperation] });
const controlPort = Number(process.env.SLIPWAY_BENCH_CONTROL_PORT);
if (controlPort) {
  createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      startOperation(app.deps, emitEventsOperation, JSON.parse(body), { title: "bench: emit events" }).then(
        (operation) => res.end(JSON.stringify({ operationId: operation.id })),
        (error: Error) => {
          res.statusCode = 500;
          res.end(error.message);
        },
      );
    });
  })
    .listen(controlPort, "127.0.0.1")
    .unref();
}

// Whether a port is free, and free ports for a whole cluster (tests and benchmarks run beside
// whatever else the machine runs).
import { createServer } from "node:net";
import type { ClusterOptions } from "./options.js";

export function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

export type ClusterPorts = Pick<ClusterOptions, "port" | "consolePort" | "replicaPort" | "postgresPort" | "redisPort">;

/** Ports nothing listens on now, in 20000-31999 (below the kernel's ephemeral range); the replicas' in a row, then `extra` more. */
export async function freeClusterPorts(replicas: number, extra = 0): Promise<ClusterPorts & { extra: number[] }> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 11_900);
    const ports = {
      port: base,
      consolePort: base + 1,
      postgresPort: base + 2,
      redisPort: base + 3,
      replicaPort: base + 10,
      extra: Array.from({ length: extra }, (_, i) => base + 50 + i),
    };
    const all = [ports.port, ports.consolePort, ports.postgresPort, ports.redisPort, ...Array.from({ length: replicas }, (_, i) => base + 10 + i), ...ports.extra];
    if ((await Promise.all(all.map((port) => canListen("127.0.0.1", port)))).every(Boolean)) return ports;
  }
  throw new Error("found no free ports in 100 tries");
}

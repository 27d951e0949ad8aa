// A local Slipway cluster (PostgreSQL, Redis, API replicas behind nginx, the console) for
// `npm run cluster`, its test and the cluster benchmarks; its supervisor also runs the replicas
// of the server's takeover test.
export { startCluster, type Cluster, type StartOptions } from "./cluster.js";
export { clusterLayout, type ClusterLayout } from "./layout.js";
export { parseClusterOptions, replicaPorts, type ClusterOptions } from "./options.js";
export { canListen, freeClusterPorts, type ClusterPorts } from "./ports.js";
export { type ClusterSecrets, type ProcessSpec, type Programs } from "./processes.js";
export { findPrograms } from "./requirements.js";
export { Supervisor, tail, type RunningProcess } from "./supervisor.js";

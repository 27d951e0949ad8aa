import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { applyMigrations } from "@slipway/prisma/migrate";
import type { ExecutionArgs, ExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Config } from "./config.js";
import { openDatabase } from "./db.js";
import { bootstrapFirstAdmin } from "./domain/auth/setup.js";
import { loadSecretKey, SecretBox } from "./domain/crypto/secret-box.js";
import { cleanupImagesOperation } from "./domain/deployments/cleanup-images-operation.js";
import { cleanupAllServiceImages } from "./domain/deployments/cleanup-images.js";
import { deployServiceOperation } from "./domain/deployments/deploy-service-operation.js";
import { rollbackDeploymentOperation } from "./domain/deployments/rollback-deployment-operation.js";
import type { Deps } from "./domain/deps.js";
import { removeServerRecords } from "./domain/domains/remove-server-records.js";
import { renewExpiringCertificates } from "./domain/domains/renew-expiring-certificates.js";
import { operationRegistry, type OperationDescriptor } from "./domain/operations/operation.js";
import { OperationRunner } from "./domain/operations/operation-runner.js";
import type { ProvisioningEnvironment, ScheduledTask, ServerGateway, ServerRemovedHook } from "./domain/ports.js";
import { createSnapshotOperation } from "./domain/provisioning/create-snapshot-operation.js";
import { deleteServerOperation } from "./domain/provisioning/delete-server-operation.js";
import { defaultProvisioningEnvironment } from "./domain/provisioning/environment.js";
import { provisionServersOperation } from "./domain/provisioning/provision-servers-operation.js";
import { adoptServerOperation } from "./domain/servers/adopt-server-operation.js";
import { reconcileServerOperation } from "./domain/servers/reconcile-server-operation.js";
import { checkUnreachableServers, RECHECK_INTERVAL_MS } from "./domain/servers/reconcile-servers.js";
import { loadControlPlaneIdentity } from "./domain/servers/control-plane-identity.js";
import { SshServerConnections } from "./domain/servers/server-connections.js";
import { SshServerGateway } from "./domain/servers/ssh-server-gateway.js";
import { upgradeAgentOperation } from "./domain/servers/upgrade-agent-operation.js";
import { createGraphQLServer } from "./graphql/yoga.js";
import { DatabaseBuildContextStore } from "./infra/database/build-context-store.js";
import { createInfrastructure } from "./infra/index.js";
import { createLogger, type Logger } from "./logger.js";

// Larger documents are refused before they are read; multipart uploads (archives) may be as large
// as the archive limit allows, plus room for the GraphQL part.
const MAX_REQUEST_BYTES = 1024 * 1024;
const HOUR_MS = 60 * 60_000;

/** Every kind of long operation this control plane runs, by its descriptor. */
const OPERATIONS: readonly OperationDescriptor[] = [
  deployServiceOperation,
  rollbackDeploymentOperation,
  cleanupImagesOperation,
  adoptServerOperation,
  upgradeAgentOperation,
  createSnapshotOperation,
  provisionServersOperation,
  deleteServerOperation,
  reconcileServerOperation,
];

// graphql-ws calls these with the args built in onSubscribe, whose root carries envelop's functions.
interface EnvelopedRoot {
  execute: (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult;
  subscribe: (args: ExecutionArgs) => Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;
}

export interface App {
  deps: Deps;
  /** Set when no admin exists yet and none was configured: print it, it is shown nowhere else. */
  setupToken: string | undefined;
  /** http://host:port/graphql once started. */
  url: string;
  start(): Promise<void>;
  /** Stops taking work, lets running operations finish within the grace period, hands the rest over. */
  stop(): Promise<void>;
}

export interface AppOptions {
  log?: Logger;
  /** How the control plane reaches servers; by default through SSH to each server's agent. */
  servers?: ServerGateway;
  /** Parts of provisioning to replace (tests, benchmarks: faster polls, a bring-up without a real host). */
  provisioning?: Partial<ProvisioningEnvironment>;
  /** More operations, scheduled tasks and server-removed hooks besides the built-in ones (tests). */
  extraOperations?: readonly OperationDescriptor[];
  extraScheduledTasks?: readonly ScheduledTask[];
  extraServerRemovedHooks?: readonly ServerRemovedHook[];
}

/** Builds the whole control plane: database, domain dependencies, GraphQL over HTTP and WebSocket. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  await applyMigrations(config.databaseUrl);

  const db = await openDatabase(config.databaseUrl);
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const identity = await loadControlPlaneIdentity(db, secrets, config.dataDir);
  const connections = new SshServerConnections({ db, secrets, identity });
  const infrastructure = await createInfrastructure(config, log);
  const deps: Deps = {
    config,
    log,
    db,
    secrets,
    clock: { now: () => new Date() },
    instanceId: randomUUID(),
    ...infrastructure,
    connections,
    servers: options.servers ?? new SshServerGateway(db, connections),
    buildContexts: new DatabaseBuildContextStore(db),
    provisioning: undefined as unknown as ProvisioningEnvironment, // set just below: its defaults need deps
    serverRemovedHooks: [(server) => removeServerRecords(deps, server), ...(options.extraServerRemovedHooks ?? [])],
  };
  deps.provisioning = { ...defaultProvisioningEnvironment(deps), ...options.provisioning };

  const runner = new OperationRunner(deps, operationRegistry([...OPERATIONS, ...(options.extraOperations ?? [])]));
  runner.register();
  // Periodic work; in cluster mode each slot runs once, on whichever replica takes it.
  deps.scheduler.register({ name: "recover-operations", everyMs: Math.max(500, config.operationLeaseMs / 4), run: async () => void (await runner.sweep()) });
  deps.scheduler.register({ name: "clean-up-images", everyMs: HOUR_MS, run: () => cleanupAllServiceImages(deps) });
  deps.scheduler.register({ name: "renew-certificates", everyMs: 24 * HOUR_MS, run: async () => void (await renewExpiringCertificates(deps)) });
  for (const task of options.extraScheduledTasks ?? []) deps.scheduler.register(task);
  // Lost servers are asked again every few seconds and brought in line once they answer.
  deps.scheduler.register({ name: "check-lost-servers", everyMs: RECHECK_INTERVAL_MS, run: () => checkUnreachableServers(deps) });

  const { setupToken } = await bootstrapFirstAdmin(deps);

  const yoga = createGraphQLServer(deps);
  const httpServer = createServer((req, res) => {
    if (refuseOversized(req, res, config.archiveLimits.maxCompressedBytes + MAX_REQUEST_BYTES)) return;
    void yoga.requestListener(req, res);
  });
  const wsServer = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint, maxPayload: MAX_REQUEST_BYTES });
  // Subscriptions run through the same envelop pipeline as HTTP: same context, auth and limits.
  const wsHandle = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wsServer,
  );

  const app: App = {
    deps,
    setupToken,
    url: "",
    async start() {
      await deps.queue.start();
      await deps.scheduler.start();
      await new Promise<void>((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(config.port, config.host, () => resolve());
      });
      const { port } = httpServer.address() as AddressInfo;
      const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
      app.url = `http://${host}:${port}/graphql`;
    },
    async stop() {
      await wsHandle.dispose();
      wsServer.close();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await deps.scheduler.close();
      const unfinished = await deps.queue.close(config.shutdownGraceMs);
      const handedOver = await runner.handOver();
      if (unfinished > 0 || handedOver > 0) log.warn({ handedOver }, "handed running operations over: another replica (or the next start) recovers them");
      await connections.close();
      await infrastructure.close();
      await deps.db.$disconnect();
    },
  };
  return app;
}

function refuseOversized(req: IncomingMessage, res: ServerResponse, maxUploadBytes: number): boolean {
  const limit = String(req.headers["content-type"]).startsWith("multipart/form-data") ? maxUploadBytes : MAX_REQUEST_BYTES;
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared <= limit) return false;
  res.writeHead(413, { "content-type": "application/json", connection: "close" });
  res.end(JSON.stringify({ errors: [{ message: `The request is larger than ${limit} bytes`, extensions: { code: "PAYLOAD_TOO_LARGE" } }] }));
  req.resume();
  return true;
}

import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { applyMigrations } from "@slipway/prisma/migrate";
import { createRequire } from "node:module";
import type { ExecutionArgs, ExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Config } from "./config.js";
import { evaluateAutoscaling } from "./domain/autoscaling/evaluate-autoscaling.js";
import { scaleServiceOperation } from "./domain/autoscaling/scale-service-operation.js";
import { openDatabase, restrictDatabaseFiles } from "./db.js";
import { LoginGuard, type LoginGuardPolicy } from "./domain/auth/login-guard.js";
import { PasswordHashing } from "./domain/auth/password-hashing.js";
import { bootstrapFirstAdmin } from "./domain/auth/setup.js";
import { loadSecretKey, SecretBox } from "./domain/crypto/secret-box.js";
import { cleanupImagesOperation } from "./domain/deployments/cleanup-images-operation.js";
import { cleanupAllServiceImages } from "./domain/deployments/cleanup-images.js";
import { deployServiceOperation } from "./domain/deployments/deploy-service-operation.js";
import { rollbackDeploymentOperation } from "./domain/deployments/rollback-deployment-operation.js";
import type { Deps } from "./domain/deps.js";
import { removeServerRecords } from "./domain/domains/remove-server-records.js";
import { renewExpiringCertificates } from "./domain/domains/renew-expiring-certificates.js";
import { getLimits, maxMultipartBytes, MAX_REQUEST_BYTES, type Limits } from "./domain/limits/get-limits.js";
import { collectMetrics } from "./domain/metrics/collect-metrics.js";
import { rollUpMetrics } from "./domain/metrics/roll-up-metrics.js";
import { operationRegistry, type OperationDescriptor } from "./domain/operations/operation.js";
import { OperationRunner } from "./domain/operations/operation-runner.js";
import type { ProvisioningEnvironment, ScheduledTask, ServerGateway, ServerRemovedHook } from "./domain/ports.js";
import { createSnapshotOperation } from "./domain/provisioning/create-snapshot-operation.js";
import { deleteServerOperation } from "./domain/provisioning/delete-server-operation.js";
import { defaultProvisioningEnvironment } from "./domain/provisioning/environment.js";
import { provisionServersOperation } from "./domain/provisioning/provision-servers-operation.js";
import { adoptServerOperation } from "./domain/servers/adopt-server-operation.js";
import { reconcileServerOperation } from "./domain/servers/reconcile-server-operation.js";
import { deleteServiceOperation } from "./domain/services/delete-service-operation.js";
import { checkUnreachableServers, RECHECK_INTERVAL_MS } from "./domain/servers/reconcile-servers.js";
import { loadControlPlaneIdentity } from "./domain/servers/control-plane-identity.js";
import { SshServerConnections } from "./domain/servers/server-connections.js";
import { SshServerGateway } from "./domain/servers/ssh-server-gateway.js";
import { upgradeAgentOperation } from "./domain/servers/upgrade-agent-operation.js";
import { createGraphQLServer } from "./graphql/yoga.js";
import { DatabaseBuildContextStore } from "./infra/database/build-context-store.js";
import { createInfrastructure } from "./infra/index.js";
import { createLogger, type Logger } from "./logger.js";

// What the client still sends after a refusal is read and dropped, up to this much, so that it
// reads the 413 instead of a broken pipe; past it the connection is cut.
const MAX_DISCARDED_BYTES = 256 * 1024 * 1024;
const HOUR_MS = 60 * 60_000;
// graphql-ws takes errors from onSubscribe only as `instanceof` the copy of graphql it loads (the
// CommonJS build, as Node resolves it); errors made here must be of that copy.
const { GraphQLError: WsGraphQLError } = createRequire(import.meta.url)("graphql") as typeof import("graphql");
// Each open subscription holds a bus subscription and a database poll: a socket gets a few.
const MAX_SUBSCRIPTIONS_PER_SOCKET = 20;


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
  scaleServiceOperation,
  reconcileServerOperation,
  deleteServiceOperation,
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
  /** Sign-in throttling (tests shorten its waits). */
  loginGuardPolicy?: LoginGuardPolicy;
}

/** Builds the whole control plane: database, domain dependencies, GraphQL over HTTP and WebSocket. */
export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  await applyMigrations(config.databaseUrl);

  const db = await openDatabase(config.databaseUrl);
  restrictDatabaseFiles(config.databaseUrl);
  const clock = { now: () => new Date() };
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const identity = await loadControlPlaneIdentity(db, secrets, config.dataDir);
  const connections = new SshServerConnections({ db, secrets, identity });
  const infrastructure = await createInfrastructure(config, log);
  const deps: Deps = {
    config,
    log,
    db,
    secrets,
    clock,
    instanceId: randomUUID(),
    ...infrastructure,
    connections,
    servers: options.servers ?? new SshServerGateway(db, connections),
    buildContexts: new DatabaseBuildContextStore(db),
    provisioning: undefined as unknown as ProvisioningEnvironment, // set just below: its defaults need deps
    serverRemovedHooks: [(server) => removeServerRecords(deps, server), ...(options.extraServerRemovedHooks ?? [])],
    loginGuard: new LoginGuard(infrastructure.signInFailures, clock, options.loginGuardPolicy),
    passwordHashing: new PasswordHashing(),
  };
  deps.provisioning = { ...defaultProvisioningEnvironment(deps), ...options.provisioning };

  const runner = new OperationRunner(deps, operationRegistry([...OPERATIONS, ...(options.extraOperations ?? [])]));
  runner.register();
  // Periodic work; in cluster mode each slot runs once, on whichever replica takes it.
  deps.scheduler.register({ name: "recover-operations", everyMs: Math.max(500, config.operationLeaseMs / 4), run: async () => void (await runner.sweep()) });
  deps.scheduler.register({ name: "clean-up-images", everyMs: HOUR_MS, run: () => cleanupAllServiceImages(deps) });
  deps.scheduler.register({ name: "renew-certificates", everyMs: 24 * HOUR_MS, run: async () => void (await renewExpiringCertificates(deps)) });
  deps.scheduler.register({ name: "collect-metrics", everyMs: config.metrics.intervalMs, run: async () => void (await collectMetrics(deps)) });
  deps.scheduler.register({ name: "roll-up-metrics", everyMs: 60_000, run: async () => void (await rollUpMetrics(deps)) });
  deps.scheduler.register({ name: "evaluate-autoscaling", everyMs: config.autoscale.intervalMs, run: async () => void (await evaluateAutoscaling(deps)) });
  for (const task of options.extraScheduledTasks ?? []) deps.scheduler.register(task);
  // Lost servers are asked again every few seconds and brought in line once they answer.
  deps.scheduler.register({ name: "check-lost-servers", everyMs: RECHECK_INTERVAL_MS, run: () => checkUnreachableServers(deps) });

  const { setupToken } = await bootstrapFirstAdmin(deps);

  const limits = getLimits(config);
  const yoga = createGraphQLServer(deps, { documentBytes: limits.maxRequestBytes, uploadBytes: maxMultipartBytes(limits) });
  const httpServer = createServer((req, res) => {
    if (refuseOversized(req, res, limits)) return;
    void yoga.requestListener(req, res);
  });
  const wsServer = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint, maxPayload: MAX_REQUEST_BYTES });
  const subscriptionsBySocket = new WeakMap<object, Set<string>>();
  const openSubscriptions = (socket: object): Set<string> => {
    let open = subscriptionsBySocket.get(socket);
    if (!open) subscriptionsBySocket.set(socket, (open = new Set()));
    return open;
  };
  // Subscriptions run through the same envelop pipeline as HTTP: same context, auth and limits.
  const wsHandle = useServer(
    {
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args),
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args),
      // A refused subscribe (bad token, bad document, too many open) is an error for that
      // subscription only: the socket and its other subscriptions carry on.
      onSubscribe: async (ctx, id, params) => {
        const open = openSubscriptions(ctx.extra.socket);
        if (open.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          return [new WsGraphQLError(`At most ${MAX_SUBSCRIPTIONS_PER_SOCKET} subscriptions may be open on one connection`, { extensions: { code: "BAD_USER_INPUT" } })];
        }
        // Counted before anything is awaited: subscribes that arrive together cannot all pass the cap.
        open.add(id);
        try {
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
          if (errors.length) {
            open.delete(id);
            return errors;
          }
          return args;
        } catch (error) {
          open.delete(id);
          if (error instanceof Error && error.name === "GraphQLError") {
            return [new WsGraphQLError(error.message, { extensions: (error as { extensions?: Record<string, unknown> }).extensions })];
          }
          log.error({ err: error }, "unexpected error while starting a subscription");
          return [new WsGraphQLError("Unexpected error.", { extensions: { code: "INTERNAL_SERVER_ERROR" } })];
        }
      },
      onComplete: (ctx, id) => void openSubscriptions(ctx.extra.socket).delete(id),
      onError: (ctx, id) => void openSubscriptions(ctx.extra.socket).delete(id),
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

/** Answers 413 to a body declared larger than the limits; larger documents are never parsed. */
function refuseOversized(req: IncomingMessage, res: ServerResponse, limits: Limits): boolean {
  const multipart = String(req.headers["content-type"]).startsWith("multipart/form-data");
  const limit = multipart ? maxMultipartBytes(limits) : limits.maxRequestBytes;
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared <= limit) return false;
  const what = multipart ? `an archive of at most ${limits.maxArchiveBytes} bytes` : `at most ${limit} bytes`;
  const body = JSON.stringify({
    errors: [{ message: `The request is larger than ${limit} bytes: this server takes ${what}`, extensions: { code: "PAYLOAD_TOO_LARGE", limit } }],
  });
  // Not "connection: close": closing while the client still sends makes it fail writing (EPIPE)
  // before it reads this answer. Drain the rest of the body instead, then keep the connection.
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARDED_BYTES) req.socket.destroy();
  });
  res.writeHead(413, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
  return true;
}

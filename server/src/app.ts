import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { applyMigrations } from "@slipway/prisma/migrate";
import type { ExecutionArgs, ExecutionResult } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Config } from "./config.js";
import { sourcesBuildContexts, type BuildContextSource } from "./domain/deployments/build-context-source.js";
import type { ServerGateway } from "./domain/deployments/server-gateway.js";
import { openDatabase } from "./db.js";
import { bootstrapFirstAdmin } from "./domain/auth/setup.js";
import { loadSecretKey, SecretBox } from "./domain/crypto/secret-box.js";
import type { Deps } from "./domain/deps.js";
import { registerOperationHandlers } from "./domain/operations/handlers.js";
import { markInterruptedOperations } from "./domain/operations/mark-interrupted.js";
import { ServerConnections } from "./domain/servers/server-connections.js";
import { SshServerGateway } from "./domain/servers/ssh-server-gateway.js";
import { createGraphQLServer } from "./graphql/yoga.js";
import { InProcessEventBus } from "./infra/event-bus.js";
import { InProcessJobQueue } from "./infra/job-queue.js";
import { createLogger, type Logger } from "./logger.js";

// Larger documents are refused before they are read; multipart uploads (archives) may be as large
// as the archive limit allows, plus room for the GraphQL part.
const MAX_REQUEST_BYTES = 1024 * 1024;

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
  stop(): Promise<void>;
}

/** Builds the whole control plane: database, domain dependencies, GraphQL over HTTP and WebSocket. */
export interface AppOptions {
  log?: Logger;
  /** How the control plane reaches servers; by default through SSH to each server's agent. */
  servers?: ServerGateway;
  buildContexts?: BuildContextSource;
}

export async function buildApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  await applyMigrations(config.databaseUrl);

  const db = await openDatabase(config.databaseUrl);
  const bus = new InProcessEventBus();
  const secrets = new SecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const connections = new ServerConnections({ db, secrets, config });
  const deps: Deps = {
    config,
    log,
    db,
    secrets,
    connections,
    bus,
    queue: new InProcessJobQueue(config.operationConcurrency, (job, error) =>
      log.error({ err: error, job: job.name }, "a background job failed"),
    ),
    servers: options.servers ?? new SshServerGateway(db, connections),
    buildContexts: options.buildContexts ?? sourcesBuildContexts(config),
  };
  registerOperationHandlers(deps);
  const interrupted = await markInterruptedOperations(deps);
  if (interrupted > 0) log.warn({ interrupted }, "marked operations left running by the previous process as interrupted");
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
      await deps.queue.close();
      await connections.close();
      await bus.close();
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

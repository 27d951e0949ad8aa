// Starts a real control plane (HTTP + WebSocket, SQLite file in a temp dir) for a test file and
// talks to it the way clients do: GraphQL over HTTP with undici, subscriptions over graphql-ws.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Client } from "graphql-ws";
import { request } from "undici";
import WebSocket from "ws";
import { buildApp, type App, type AppOptions } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { authenticate } from "../src/domain/auth/authenticate.js";
import type { Viewer } from "../src/domain/auth/viewer.js";
import { createLogger } from "../src/logger.js";
import { freshTestDatabase, storedBytes, type TestDatabase } from "./test-database.js";

/** Relay global ids, as the API speaks them, and back to database ids. */
export const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
export const rawId = (globalId: string) => Buffer.from(globalId, "base64").toString().split(":")[1]!;

/** An operation event as tests select it. */
export interface Event {
  seq: number;
  step: string;
  level: string;
  message: string;
  serverId: string | null;
  /** Selected by the documents that ask for it (operationEvents in the e2e tests). */
  releaseState?: string | null;
}

export const ADMIN = { email: "admin@example.test", password: "correct-horse-battery-staple" };

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A control plane as its clients meet it (GraphQL over HTTP and WebSocket), in this process or another. */
export interface ApiClient {
  url: string;
  adminToken: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<GraphQLResponse<T>>;
  ws(token?: string | null): Client;
}

export interface TestServer extends ApiClient {
  app: App;
  dataDir: string;
  /** The database this control plane uses (SQLite file or PostgreSQL, see test-database.ts). */
  databaseUrl: string;
  /** Everything stored, as bytes: for proving a secret is never kept in clear. */
  storedBytes(): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  dataDir?: string,
  options: {
    withAdmin?: boolean;
    /** A database the caller owns (to restart on it, or to run replicas on one); else a fresh one, dropped at stop. */
    database?: TestDatabase;
  } & Pick<AppOptions, "servers" | "provisioning" | "extraOperations" | "extraScheduledTasks" | "extraServerRemovedHooks" | "loginGuardPolicy"> = {},
): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), "slipway-test-"));
  const admin = options.withAdmin === false ? {} : { SLIPWAY_ADMIN_EMAIL: ADMIN.email, SLIPWAY_ADMIN_PASSWORD: ADMIN.password };
  const database = options.database ? { url: options.database.url, drop: async () => {} } : await freshTestDatabase(dir);
  const config = loadConfig({ PORT: "0", HOST: "127.0.0.1", SLIPWAY_DATA_DIR: dir, SLIPWAY_SHUTDOWN_GRACE_SECONDS: "10", ...admin, ...env, DATABASE_URL: database.url });
  const { withAdmin: _withAdmin, database: _database, ...appOptions } = options;
  const app = await buildApp(config, { log: createLogger(process.env.SLIPWAY_TEST_LOG ?? "silent"), ...appOptions });
  await app.start();
  const api = apiClient(app.url);
  const server: TestServer = {
    app,
    dataDir: dir,
    databaseUrl: database.url,
    url: app.url,
    adminToken: "",
    gql: api.gql,
    ws: api.ws,
    storedBytes: () => storedBytes(app.deps.db, database.url, dir),
    async stop() {
      await api.close();
      await app.stop();
      await database.drop();
      if (!dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  if (config.initialAdmin) server.adminToken = await login(server, ADMIN.email, ADMIN.password);
  return server;
}

/** A client of the control plane at `url` (e.g. a replica in another process); close() ends the WebSockets it opened. */
export function apiClient(url: string): ApiClient & { close(): Promise<void> } {
  const clients: Client[] = [];
  return {
    url,
    adminToken: "",
    async gql(query, variables, token) {
      const response = await request(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.body.json()) as GraphQLResponse;
      return { ...body, status: response.statusCode };
    },
    ws(token) {
      const client = createClient({
        url: url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose()));
    },
  };
}

/** Who a token stands for, as the API sees it: for calling domain functions side by side. */
export async function viewerFor(server: TestServer, token: string): Promise<Viewer> {
  const viewer = await authenticate(server.app.deps, token);
  if (!viewer) throw new Error("the token does not authenticate");
  return viewer;
}

export async function login(server: Pick<ApiClient, "gql">, email: string, password: string): Promise<string> {
  const result = await server.gql(
    `mutation($input: LoginInput!) { login(input: $input) { __typename ... on MutationLoginSuccess { data { token } } ... on Error { message } } }`,
    { input: { email, password } },
  );
  const token = result.data?.login?.data?.token;
  if (!token) throw new Error(`login failed: ${JSON.stringify(result)}`);
  return token;
}

/** Collects every value of a subscription until it completes (or fails). */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown>): {
  values: T[];
  done: Promise<{ values: T[]; errors: unknown[] }>;
} {
  const values: T[] = [];
  const errors: unknown[] = [];
  const done = new Promise<{ values: T[]; errors: unknown[] }>((resolve) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (result) => (result.errors ? errors.push(...result.errors) : values.push(result.data as T)),
        error: (error) => {
          errors.push(error);
          resolve({ values, errors });
        },
        complete: () => resolve({ values, errors }),
      },
    );
  });
  return { values, done };
}

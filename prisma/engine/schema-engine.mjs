#!/usr/bin/env node
// A drop-in `schema-engine` executable for the Prisma CLI, backed by @prisma/schema-engine-wasm
// and Prisma's driver adapters (better-sqlite3, pg) instead of the native binary that Prisma
// downloads on first use. It is what lets `prisma migrate`, `db push` and `generate` run offline.
//
// Wired in through PRISMA_SCHEMA_ENGINE_BINARY (see ../prisma.config.ts). Protocol, as spoken by
// prisma's CLI (node_modules/prisma/build/cli.js):
//   --version                                    print the engine version on stdout
//   --datasource <json> cli <command>            one-shot: can-connect-to-database,
//                                                create-database, drop-database; errors go to
//                                                stderr as JSON log lines (the first line is skipped)
//   [--datamodels <path>]... --datasource <json> line-delimited JSON-RPC 2.0 on stdin/stdout,
//                                                JSON log lines on stderr
//
// The wasm engine differs from the native one in a few places; each workaround below is marked
// QUIRK with the reason. prisma, the wasm engine and the adapters are pinned to exact versions
// because these workarounds depend on their behaviour; test/ catches an upgrade that breaks them.

import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";

const require = createRequire(import.meta.url);

const NO_FILTER = { externalTables: [], externalEnums: [] };
const MIGRATIONS_TABLE = "_prisma_migrations";

// ------------------------------------------------------------------------------------- logging

/** One JSON log line on stderr, in the shape the CLI parses (`level`, `fields.message`, `target`). */
function log(level, message, extra = {}) {
  const line = { timestamp: new Date().toISOString(), level, fields: { message, ...extra }, target: "schema_engine::logger" };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}

/** The Prisma error code of an error (P1003, ...), if it has one. */
function prismaCode(error) {
  return typeof error?.code === "string" && /^P\d{4}$/.test(error.code) ? error.code : undefined;
}

/** An error carrying a Prisma error code (P1003, P3005, ...), reported to the CLI as such. */
class EngineError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------- arguments

function parseArgs(argv) {
  const args = { datamodels: [], datasource: undefined, cli: undefined, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--version" || arg === "-V") args.version = true;
    else if (arg === "--datamodels") args.datamodels.push(argv[++i]);
    else if (arg === "--datasource") args.datasource = JSON.parse(argv[++i]);
    else if (arg === "cli") args.cli = argv[++i];
    else if (arg === "--enabled-preview-features" || arg === "--extension-types") i++; // not applicable
  }
  return args;
}

/** The provider from the URL's scheme, or else from the schema's datasource block. */
function detectProvider(url, schemaFiles) {
  if (url) {
    if (/^file:/.test(url)) return "sqlite";
    if (/^postgres(ql)?:/.test(url)) return "postgres";
    throw new EngineError("P1013", `The provided database string is invalid. Unsupported scheme in \`${redact(url)}\`.`);
  }
  for (const [, content] of schemaFiles) {
    const provider = /datasource\s+\w+\s*\{[^}]*?provider\s*=\s*"(\w+)"/s.exec(content)?.[1];
    if (provider === "sqlite") return "sqlite";
    if (provider === "postgresql" || provider === "postgres") return "postgres";
  }
  throw new EngineError("P1012", "No supported datasource (sqlite or postgresql) found.");
}

function redact(url) {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

// ------------------------------------------------------------------------------------- SQLite

const SQLITE_MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** The file behind a `file:` URL; relative paths are taken from the working directory, as Prisma does. */
function sqlitePath(url) {
  const file = url.replace(/^file:/, "").replace(/\?.*$/, "");
  return path.resolve(process.cwd(), file);
}

function openSqlite(file, options = {}) {
  const Database = require("better-sqlite3");
  return new Database(file, options);
}

function withSqlite(url, fn) {
  const db = openSqlite(sqlitePath(url));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function sqliteUserTables(db) {
  return db
    .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
    .all();
}

/** QUIRK 3: the wasm engine's SQLite `reset` only deletes rows; drop every table and view instead. */
function sqliteDropAll(url) {
  withSqlite(url, (db) => {
    db.pragma("foreign_keys = OFF");
    for (const { type, name } of sqliteUserTables(db)) {
      db.exec(`DROP ${type === "view" ? "VIEW" : "TABLE"} IF EXISTS "${name.replaceAll('"', '""')}"`);
    }
    db.pragma("foreign_keys = ON");
    db.exec("VACUUM");
  });
}

/**
 * QUIRK 1: the engine sends whole migration files through `executeRaw`, but better-sqlite3 prepares
 * one statement at a time. A parameterless multi-statement query is run as a script instead.
 */
function runScriptsAsScripts(adapter) {
  const wrapped = Object.create(adapter);
  wrapped.executeRaw = async (query) => {
    try {
      return await adapter.executeRaw(query);
    } catch (error) {
      if (query.args.length > 0 || !/more than one statement/i.test(String(error?.message))) throw error;
      await adapter.executeScript(query.sql);
      return 0;
    }
  };
  return wrapped;
}

async function sqliteAdapterFactory(datasource) {
  const { PrismaBetterSqlite3 } = await import("@prisma/adapter-better-sqlite3");
  const main = new PrismaBetterSqlite3({ url: sqlitePath(datasource.url) });
  return {
    provider: main.provider,
    adapterName: main.adapterName,
    connect: async () => openOnFirstUse(main, async () => runScriptsAsScripts(await main.connect())),
    // An in-memory database, as the native engine uses for SQLite.
    connectToShadowDb: async () => runScriptsAsScripts(await main.connectToShadowDb()),
  };
}

/**
 * The engine connects to the main database even for `migrate diff --from-migrations --to-schema`,
 * which never queries it; opening the file lazily lets that CI check run without a database
 * (better-sqlite3 would otherwise fail, or create an empty file).
 */
function openOnFirstUse(info, connect) {
  let adapter;
  const open = () => (adapter ??= connect());
  return {
    provider: info.provider,
    adapterName: info.adapterName,
    queryRaw: async (query) => (await open()).queryRaw(query),
    executeRaw: async (query) => (await open()).executeRaw(query),
    executeScript: async (script) => (await open()).executeScript(script),
    startTransaction: async (isolationLevel) => (await open()).startTransaction(isolationLevel),
    dispose: async () => adapter && (await adapter).dispose(),
  };
}

const sqliteCli = {
  canConnect(url) {
    const file = sqlitePath(url);
    if (!fs.existsSync(file)) {
      throw new EngineError("P1003", `Database \`${path.basename(file)}\` does not exist at \`${file}\``);
    }
    withSqlite(url, (db) => db.prepare("SELECT 1").get());
  },
  createDatabase(url) {
    const file = sqlitePath(url);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    withSqlite(url, () => {});
    return path.basename(file);
  },
  dropDatabase(url) {
    fs.rmSync(sqlitePath(url), { force: true });
  },
};

// --------------------------------------------------------------------------------- PostgreSQL

/**
 * QUIRK 7: `pg` is given the URL as separate fields. With `connectionString`, a `database`
 * override is ignored, so the shadow database (the main config with another name) would silently
 * be the main database.
 */
function pgConfigFromUrl(url) {
  const u = new URL(url);
  const q = u.searchParams;
  const sslmode = q.get("sslmode");
  return {
    host: q.get("host") ?? (decodeURIComponent(u.hostname) || "localhost"),
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username) || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || "postgres",
    ssl: !sslmode || sslmode === "disable" || sslmode === "prefer" ? false : { rejectUnauthorized: sslmode !== "require" },
    schema: q.get("schema") ?? "public",
  };
}

/** QUIRK 6: the adapter cannot read catalog columns of type "char" (OID 18) or name (19): read them as text (25). */
const CATALOG_TEXT_OIDS = new Set([18, 19]);

async function catalogTextClient() {
  const { default: pg } = await import("pg");
  return class CatalogTextClient extends pg.Client {
    query(config, values, callback) {
      if (typeof values === "function") [values, callback] = [undefined, values];
      if (typeof config?.submit === "function") return super.query(config, values, callback);
      const result = super.query(config, values).then(retypeCatalogColumns);
      if (!callback) return result;
      result.then((res) => callback(null, res), (err) => callback(err));
      return undefined;
    }
  };
}

function retypeCatalogColumns(result) {
  for (const field of result?.fields ?? []) {
    if (CATALOG_TEXT_OIDS.has(field.dataTypeID)) field.dataTypeID = 25;
  }
  return result;
}

/** Runs `fn` with a plain `pg` client (no adapter) connected as `config` says. */
async function withPgClient(config, fn) {
  const { default: pg } = await import("pg");
  const { schema, ...fields } = config;
  const client = new pg.Client(fields);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name) => `"${name.replaceAll('"', '""')}"`;

/**
 * QUIRK 8: shadow databases are created and dropped here. The adapter's own `connectToShadowDb`
 * drops the database while its pool still holds connections to it, which fails.
 */
async function pgAdapterFactory(datasource) {
  const { PrismaPg } = await import("@prisma/adapter-pg");
  const Client = await catalogTextClient();
  const main = pgConfigFromUrl(datasource.url);
  const adapterFor = ({ schema, ...fields }) => new PrismaPg({ ...fields, Client }, { schema }).connect();
  const leftovers = new Set(); // shadow databases not yet dropped, cleaned up on exit

  async function connectToShadowDb() {
    if (datasource.shadowDatabaseUrl) return adapterFor(pgConfigFromUrl(datasource.shadowDatabaseUrl));
    const database = `prisma_migrate_shadow_db_${randomUUID()}`;
    await withPgClient(main, (c) => c.query(`CREATE DATABASE ${quoteIdent(database)}`));
    leftovers.add(database);
    const adapter = await adapterFor({ ...main, database });
    const shadow = Object.create(adapter);
    shadow.dispose = async () => {
      await adapter.dispose(); // closes the pool first, so the drop cannot be blocked by it
      await dropShadow(database);
    };
    return shadow;
  }

  async function dropShadow(database) {
    await withPgClient(main, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`));
    leftovers.delete(database);
  }

  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: () => adapterFor(main),
    connectToShadowDb,
    cleanup: async () => Promise.allSettled([...leftovers].map(dropShadow)),
  };
}

/** Maps connection failures to the Prisma error codes the CLI knows how to explain. */
function pgConnectionError(error, config) {
  const at = `${config.host}:${config.port}`;
  if (error.code === "3D000") return new EngineError("P1003", `Database \`${config.database}\` does not exist on the database server at \`${at}\`.`);
  if (error.code === "28P01" || error.code === "28000") return new EngineError("P1000", `Authentication failed against database server at \`${at}\`, the provided database credentials for \`${config.user}\` are not valid.`);
  if (error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "ETIMEDOUT") return new EngineError("P1001", `Can't reach database server at \`${at}\``);
  return error;
}

const pgCli = {
  async canConnect(url) {
    const config = pgConfigFromUrl(url);
    await withPgClient(config, (c) => c.query("SELECT 1")).catch((e) => {
      throw pgConnectionError(e, config);
    });
  },
  async createDatabase(url) {
    const config = pgConfigFromUrl(url);
    await withMaintenanceDb(config, (c) => c.query(`CREATE DATABASE ${quoteIdent(config.database)}`));
    return config.database;
  },
  async dropDatabase(url) {
    const config = pgConfigFromUrl(url);
    await withMaintenanceDb(config, (c) => c.query(`DROP DATABASE ${quoteIdent(config.database)}`));
  },
};

/** The target database may not exist (create) or must not be in use (drop): work from `postgres`. */
async function withMaintenanceDb(config, fn) {
  try {
    return await withPgClient({ ...config, database: "postgres" }, fn);
  } catch (error) {
    if (error.code !== "3D000") throw pgConnectionError(error, config);
    return withPgClient({ ...config, database: "template1" }, fn);
  }
}

// ------------------------------------------------------------------------------- wasm engine

let wasmBindings;

/** The engine's panic hook hands the Rust panic message to this global before the instance traps. */
const panics = { last: undefined, set_message: (message) => void (panics.last = message) };
globalThis.PRISMA_WASM_PANIC_REGISTRY = panics;

/** Loads the wasm module by hand: the package's entry imports a `.wasm` file, which Node 20 cannot. */
function loadWasmBindings() {
  return (wasmBindings ??= instantiateWasm());
}

async function instantiateWasm() {
  const entry = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bindings = await import(entry);
  const bytes = fs.readFileSync(path.join(path.dirname(entry), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bindings });
  bindings.__wbg_set_wasm(instance.exports);
  instance.exports.__wbindgen_start();
  return bindings;
}

/** RPC methods passed straight to the wasm engine (the others are handled in Session.dispatch). */
const ENGINE_METHODS = new Set([
  "applyMigrations",
  "createMigration",
  "dbExecute",
  "debugPanic",
  "devDiagnostic",
  "diagnoseMigrationHistory",
  "ensureConnectionValidity",
  "evaluateDataLoss",
  "introspect",
  "introspectSql",
  "markMigrationApplied",
  "markMigrationRolledBack",
  "schemaPush",
]);

/** One wasm SchemaEngine plus the workarounds its callers need. */
class Session {
  static async open({ datasource = {}, datamodels }) {
    const schemaFiles = datamodels.map((file) => [file, fs.readFileSync(file, "utf8")]);
    const provider = detectProvider(datasource.url, schemaFiles);
    const factory = provider === "sqlite" ? await sqliteAdapterFactory(datasource) : await pgAdapterFactory(datasource);
    const { bindMigrationAwareSqlAdapterFactory } = await import("@prisma/driver-adapter-utils");
    const wasm = await loadWasmBindings();
    const forwardLog = (line) => process.stderr.write(line.endsWith("\n") ? line : `${line}\n`);
    const bound = bindMigrationAwareSqlAdapterFactory(factory);
    const engine = await wasm.SchemaEngine.new({ datamodels: schemaFiles.length ? schemaFiles : undefined }, forwardLog, bound);
    return new Session(engine, provider, datasource, factory, bound.errorRegistry);
  }

  constructor(engine, provider, datasource, factory, errorRegistry) {
    this.engine = engine;
    this.provider = provider;
    this.datasource = datasource;
    this.factory = factory;
    this.errorRegistry = errorRegistry;
  }

  /** Runs one RPC method; `print` sends text to the CLI's stdout (QUIRK 5). */
  async call(method, params, print) {
    try {
      return await this.dispatch(method, params, print);
    } catch (error) {
      throw this.explain(error);
    }
  }

  /** Driver errors reach us as "External error id#N"; the real error waits in the adapter's registry. */
  explain(error) {
    const id = /External error id#(\d+)/.exec(String(error?.message))?.[1];
    const cause = id === undefined ? undefined : this.errorRegistry.consumeError(Number(id))?.error;
    if (!cause) return error;
    const detail = cause.cause ? JSON.stringify(cause.cause) : "";
    return Object.assign(new Error(`${cause.message ?? String(cause)}${detail && detail !== "{}" ? ` ${detail}` : ""}`), {
      code: error.code ?? cause.code,
    });
  }

  async dispatch(method, params, print) {
    switch (method) {
      case "getDatabaseVersion":
        return this.engine.version(params ?? undefined);
      case "createDatabase":
        return { databaseName: await cliFor(this.provider).createDatabase(this.datasource.url) };
      case "reset":
        return this.reset(params);
      case "diff":
        return this.diff(params, print);
      case "evaluateDataLoss":
      case "createMigration":
        await this.ensureDiagnosed(params);
        return this.withMigrationsTable(method, params);
      default:
        if (!ENGINE_METHODS.has(method)) {
          throw Object.assign(new Error(`Unknown method \`${method}\``), { rpcCode: -32601 });
        }
        return this.withMigrationsTable(method, params);
    }
  }

  /**
   * QUIRK 2: on SQLite the wasm engine reports a missing `_prisma_migrations` table as P1014
   * instead of treating the database as not yet initialised. Create the table (the engine's own
   * DDL) and retry, except where the native engine would refuse a non-empty schema (P3005).
   */
  async withMigrationsTable(method, params) {
    try {
      return await this.engine[method](params);
    } catch (error) {
      if (this.provider !== "sqlite" || error?.code !== "P1014" || !String(error.message).includes(MIGRATIONS_TABLE)) throw error;
      withSqlite(this.datasource.url, (db) => {
        if (method === "applyMigrations" && sqliteUserTables(db).length > 0) {
          throw new EngineError("P3005", "The database schema is not empty. Read more about how to baseline an existing production database: https://pris.ly/d/migrate-baseline");
        }
        db.exec(SQLITE_MIGRATIONS_TABLE_DDL);
      });
      return this.engine[method](params);
    }
  }

  /**
   * QUIRK 4: evaluateDataLoss and createMigration only find the SQLite shadow database when a
   * devDiagnostic for the same migrations ran just before (the CLI applies migrations in between).
   */
  async ensureDiagnosed(params) {
    if (this.provider !== "sqlite") return;
    await this.withMigrationsTable("devDiagnostic", { migrationsList: params.migrationsList, filters: params.filters ?? NO_FILTER });
  }

  async reset(params) {
    if (this.provider === "sqlite") {
      sqliteDropAll(this.datasource.url);
      return {};
    }
    await this.engine.reset(params ?? { filter: NO_FILTER });
    return {};
  }

  /** QUIRK 5: the native engine prints the diff through a `print` request and returns no stdout. */
  async diff(params, print) {
    const result = await this.engine.diff(params);
    if (result.stdout) await print(result.stdout);
    return { exitCode: result.exitCode, stdout: null };
  }

  async close() {
    await this.factory.cleanup?.();
  }
}

// ----------------------------------------------------------------------------- JSON-RPC loop

function rpcError(error) {
  const panic = error instanceof WebAssembly.RuntimeError;
  if (error?.rpcCode) return { code: error.rpcCode, message: error.message };
  const message = panic ? (panics.last ?? String(error.message)) : String(error?.message ?? error);
  return {
    code: 4466,
    message: "An error happened. Check the data field for details.",
    data: {
      is_panic: panic,
      message,
      ...(prismaCode(error) ? { error_code: prismaCode(error) } : {}),
      ...(error?.meta ? { meta: error.meta } : {}),
      ...(panic ? { error: { message } } : {}),
    },
  };
}

async function serveRpc(args) {
  const send = (message) => process.stdout.write(`${JSON.stringify({ jsonrpc: "2.0", ...message })}\n`);
  const pending = new Map(); // our own requests to the CLI (print), by id
  let nextId = 1;
  const print = (content) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      send({ id, method: "print", params: { content } });
    });

  let session; // opened lazily so that a bad datasource is reported as an RPC error
  const openSession = () => (session ??= Session.open(args));
  let queue = Promise.resolve(); // the engine takes one request at a time

  const handle = async (request) => {
    try {
      const result = await (await openSession()).call(request.method, request.params, print);
      send({ id: request.id, result: result ?? {} });
    } catch (error) {
      const reply = rpcError(error);
      log("ERROR", reply.data?.message ?? reply.message, reply.data?.error_code ? { error_code: reply.data.error_code } : {});
      send({ id: request.id, error: reply });
      if (error instanceof WebAssembly.RuntimeError) await exit(101); // a panicked wasm instance is unusable
    }
  };

  const exit = async (code) => {
    if (session) await (await session.catch(() => undefined))?.close();
    process.exit(code);
  };

  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      send({ id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (message.method === undefined) {
      pending.get(message.id)?.(message.result); // a response to our `print`
      pending.delete(message.id);
      return;
    }
    // Responses to `print` arrive while a request is in flight, so requests are queued, not awaited here.
    queue = queue.then(() => handle(message));
  });
  lines.on("close", () => queue.then(() => exit(0)));
  // The CLI stops us with SIGTERM as soon as it has its answers; still drop our shadow databases.
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => exit(0));
}

// ------------------------------------------------------------------------------ one-shot CLI

function cliFor(provider) {
  return provider === "sqlite" ? sqliteCli : pgCli;
}

async function runCliCommand(command, datasource) {
  const url = datasource?.url;
  if (!url) throw new EngineError("P1012", "No datasource URL was given.");
  const cli = cliFor(detectProvider(url, []));
  switch (command) {
    case "can-connect-to-database":
      return cli.canConnect(url);
    case "create-database": {
      const name = await cli.createDatabase(url);
      log("INFO", `Database '${name}' was successfully created.`);
      return;
    }
    case "drop-database":
      await cli.dropDatabase(url);
      log("INFO", "The database was successfully dropped.");
      return;
    default:
      throw new Error(`Unknown cli command \`${command}\``);
  }
}

// ------------------------------------------------------------------------------------- main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const { version } = await loadWasmBindings();
  if (args.version) {
    process.stdout.write(`schema-engine-cli ${version()}\n`);
    return;
  }
  // The CLI drops the first stderr line of one-shot commands, so always start with one.
  log("INFO", `Starting schema engine (wasm ${version()})`);
  if (args.cli) {
    try {
      await runCliCommand(args.cli, args.datasource);
    } catch (error) {
      log("ERROR", String(error?.message ?? error), prismaCode(error) ? { error_code: prismaCode(error) } : {});
      process.exitCode = 1;
    }
    return;
  }
  await serveRpc(args);
}

main().catch((error) => {
  log("ERROR", String(error?.stack ?? error));
  process.exit(1);
});

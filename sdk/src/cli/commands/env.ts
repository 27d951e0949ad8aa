import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { SlipwayClient } from "../../client.js";
import { ServiceDocument, SetServiceEnvDocument, type EnvVarInput } from "../../generated/graphql.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { findService } from "../lookup.js";
import { formatTable } from "../output/table.js";
import { printListing } from "../print.js";
import { createPrompter } from "../prompt.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

interface EnvVar {
  key: string;
  secret: boolean;
  value?: string | null;
}

export function registerEnv(program: Command): void {
  const env = program
    .command("env")
    .description("List, set and unset a service's environment variables (they take effect with the next deploy)")
    .addHelpText("after", examples("slipway env list shop/web", "slipway env set shop/web NODE_ENV=production LOG_LEVEL=info", "slipway env set shop/web --secret DATABASE_URL < db-url.txt", "slipway env unset shop/web LOG_LEVEL"));

  env
    .command("list")
    .description("List the variables; secret values are never shown (nor sent by the server)")
    .argument("<project/service>", "e.g. shop/web")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway env list shop/web", "slipway env list shop/web --json"))
    .action(async (path: string, options: { json?: boolean }) => {
      const client = await connect();
      const vars = await currentVars(client, (await findService(client, path)).id);
      const text = vars.length === 0 ? `${path} has no environment variables.` : formatTable(["KEY", "VALUE"], vars.map((v) => [v.key, v.secret ? "(secret)" : (v.value ?? "")]));
      printListing(options.json, vars, text);
    });

  env
    .command("set")
    .description("Set variables from KEY=VALUE pairs, or one secret read from stdin or a file")
    .argument("<project/service>", "e.g. shop/web")
    .argument("[pairs...]", "KEY=VALUE (plain values; they show in your shell history)")
    .option("--secret <key>", "set this secret; its value comes from --from-file, or stdin (asked without echo on a terminal)")
    .option("--from-file <path>", "read the secret's value from this file (a final newline is dropped)")
    .addHelpText(
      "after",
      `${examples(
        "slipway env set shop/web NODE_ENV=production",
        "slipway env set shop/web --secret DATABASE_URL            # asks, without echo",
        "printf %s \"$DB_URL\" | slipway env set shop/web --secret DATABASE_URL",
        "slipway env set shop/web --secret TLS_KEY --from-file key.pem",
      )}\nSecrets are never printed, and the server never sends their values back.`,
    )
    .action(async (path: string, pairs: string[], options: { secret?: string; fromFile?: string }) => {
      if (pairs.length === 0 && !options.secret) throw new CliError("Give KEY=VALUE pairs, or --secret KEY", ExitCode.Usage);
      if (options.fromFile && !options.secret) throw new CliError("--from-file goes with --secret KEY", ExitCode.Usage);
      const changes = pairs.map(parsePair);
      if (options.secret) changes.push({ key: options.secret, secret: true, value: await readSecret(options.secret, options.fromFile) });
      const client = await connect();
      const service = await findService(client, path);
      const merged = mergeVars(await currentVars(client, service.id), changes, []);
      await save(client, service.id, merged);
      process.stdout.write(`Set ${changes.map((c) => c.key).join(", ")} on ${path}. It takes effect with the next deploy.\n`);
    });

  env
    .command("unset")
    .description("Remove variables")
    .argument("<project/service>", "e.g. shop/web")
    .argument("<keys...>", "the variables to remove")
    .addHelpText("after", examples("slipway env unset shop/web LOG_LEVEL DEBUG"))
    .action(async (path: string, keys: string[]) => {
      const client = await connect();
      const service = await findService(client, path);
      const current = await currentVars(client, service.id);
      const missing = keys.filter((key) => !current.some((v) => v.key === key));
      if (missing.length > 0) throw new CliError(`${path} has no variable ${missing.join(", ")}`, ExitCode.Usage);
      await save(client, service.id, mergeVars(current, [], keys));
      process.stdout.write(`Removed ${keys.join(", ")} from ${path}. It takes effect with the next deploy.\n`);
    });
}

async function currentVars(client: SlipwayClient, serviceId: string): Promise<EnvVar[]> {
  const node = (await client.request(ServiceDocument, { id: serviceId })).node;
  return node && "envVars" in node ? node.envVars : [];
}

async function save(client: SlipwayClient, serviceId: string, vars: EnvVarInput[]): Promise<void> {
  unwrap((await client.request(SetServiceEnvDocument, { serviceId, vars })).setServiceEnv);
}

/** `KEY=VALUE` (the value may hold `=`). Pure. */
export function parsePair(pair: string): EnvVar & { value: string } {
  const at = pair.indexOf("=");
  if (at <= 0) throw new CliError(`"${pair}" is not KEY=VALUE`, ExitCode.Usage);
  return { key: pair.slice(0, at), secret: false, value: pair.slice(at + 1) };
}

/**
 * The whole set to send (the API replaces it): stored variables keep their value by leaving it
 * out (secrets are never sent back, so they cannot be re-sent), changed ones carry the new value.
 * Pure.
 */
export function mergeVars(current: readonly EnvVar[], changes: readonly (EnvVar & { value: string })[], removed: readonly string[]): EnvVarInput[] {
  const byKey = new Map<string, EnvVarInput>();
  for (const v of current) if (!removed.includes(v.key)) byKey.set(v.key, { key: v.key, secret: v.secret });
  for (const c of changes) byKey.set(c.key, { key: c.key, secret: c.secret, value: c.value });
  return [...byKey.values()];
}

async function readSecret(key: string, file: string | undefined): Promise<string> {
  if (file) return stripNewline(await readFile(file, "utf8"));
  if (process.stdin.isTTY) {
    const prompter = createPrompter();
    try {
      return await prompter.askSecret(`Value of ${key} (not shown): `);
    } finally {
      prompter.close();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const value = stripNewline(Buffer.concat(chunks).toString("utf8"));
  if (value === "") throw new CliError(`No value for ${key} on stdin`, ExitCode.Usage);
  return value;
}

function stripNewline(text: string): string {
  return text.replace(/\r?\n$/, "");
}

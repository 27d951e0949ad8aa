import { hostname } from "node:os";
import type { Command } from "commander";
import { createClient, type SlipwayClient } from "../../client.js";
import {
  ApiTokensDocument, CreateApiTokenDocument, LoginDocument, LogoutDocument, RevokeApiTokenDocument, ViewerDocument,
} from "../../generated/graphql.js";
import { configPath, readStoredLogin, removeStoredLogin, writeStoredLogin } from "../config-file.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { printResult } from "../print.js";
import { createPrompter } from "../prompt.js";
import { unwrap } from "../results.js";
import { apiUrl, resolveLogin } from "../session.js";

/** What a CLI token may do; an admin's also manages servers. */
const CLI_SCOPES = ["read", "projects:write", "deploy"];
const ADMIN_SCOPES = [...CLI_SCOPES, "servers:write"];
/** A password login's token lasts this long; logging in again replaces it. */
export const CLI_TOKEN_DAYS = 90;

/** One token per person and machine: logging in again replaces it instead of adding another. */
export function cliTokenName(email: string, machine = hostname()): string {
  return `slipway CLI: ${email} on ${machine}`.slice(0, 100);
}

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("Sign in to a Slipway server and store an API token for the other commands")
    .argument("[url]", "the server's address (default: $SLIPWAY_URL, else asked)")
    .option("--email <email>", "sign in as this user (asked when missing)")
    .option("--token <token>", "store this API token instead of signing in with a password")
    .addHelpText(
      "after",
      `${examples("slipway login https://slipway.example.com", "slipway login http://localhost:4000 --email you@example.com", "slipway login https://slipway.example.com --token slwt_...")}

The password is read from the terminal (not echoed), or as one line from stdin when it is not a terminal.
A password login creates one API token for this machine, named "${cliTokenName("<email>", "<host>")}",
valid for ${CLI_TOKEN_DAYS} days; logging in again replaces it, and \`slipway logout\` revokes it.
The login is written to $XDG_CONFIG_HOME/slipway/config.json (~/.config/slipway/config.json), readable only by you.`,
    )
    .action(async (urlArgument: string | undefined, options: { email?: string; token?: string }) => {
      const prompter = createPrompter();
      try {
        const url = apiUrl(urlArgument ?? process.env.SLIPWAY_URL ?? (await prompter.ask("Slipway URL: ")));
        const stored = options.token
          ? { token: options.token, email: await viewerEmail(createClient({ url, token: options.token })) }
          : await signIn(url, options.email ?? (await prompter.ask("Email: ")), await prompter.askSecret("Password: "));
        const file = configPath();
        await writeStoredLogin(file, { url, ...stored });
        process.stdout.write(`Logged in to ${url} as ${stored.email}; token stored in ${file}\n`);
      } finally {
        prompter.close();
      }
    });

  program
    .command("whoami")
    .description("Show who the CLI acts as, on which server, and where the token comes from")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway whoami", "SLIPWAY_TOKEN=slwt_... slipway whoami --json"))
    .action(async (options: { json?: boolean }) => {
      const login = await resolveLogin();
      const viewer = (await createClient(login).request(ViewerDocument)).viewer;
      if (!viewer) throw new CliError("The server does not accept the stored token: run `slipway login`", ExitCode.Auth);
      const from = process.env.SLIPWAY_TOKEN ? "the SLIPWAY_TOKEN environment variable" : configPath();
      printResult(
        options.json,
        { url: login.url, email: viewer.email, name: viewer.name, role: viewer.role, tokenFrom: from },
        `${viewer.name} <${viewer.email}> (${viewer.role.toLowerCase()}) on ${login.url}\ntoken from ${from}`,
      );
    });

  program
    .command("logout")
    .description("Revoke the token `slipway login` created on this machine and forget it")
    .addHelpText("after", examples("slipway logout"))
    .action(async () => {
      const file = configPath();
      const stored = await readStoredLogin(file);
      if (!stored) {
        process.stdout.write(`Not logged in (no ${file}).\n`);
      } else {
        if (stored.tokenId) {
          const client = createClient({ url: stored.url, token: stored.token });
          // The token ends itself (no tokens:write scope needed); already revoked or expired is
          // fine: the point is that it no longer works.
          await client.request(LogoutDocument).catch(() => undefined);
        }
        await removeStoredLogin(file);
        process.stdout.write(`Logged out of ${stored.url}${stored.tokenId ? "; its token is revoked" : ""}.\n`);
      }
      if (process.env.SLIPWAY_TOKEN) process.stdout.write("SLIPWAY_TOKEN is still set in this environment: unset it too.\n");
    });
}

async function viewerEmail(client: SlipwayClient): Promise<string> {
  const viewer = (await client.request(ViewerDocument)).viewer;
  if (!viewer) throw new CliError("The server did not accept the token", ExitCode.Auth);
  return viewer.email;
}

/**
 * Trades the password for this machine's API token (replacing the one an earlier login made here),
 * then ends the short session it used.
 */
async function signIn(url: string, email: string, password: string): Promise<{ token: string; tokenId: string; email: string }> {
  const anonymous = createClient({ url });
  const session = unwrap((await anonymous.request(LoginDocument, { input: { email, password } })).login);
  const client = createClient({ url, token: session.token });
  const name = cliTokenName(session.user.email);
  const earlier = (await client.request(ApiTokensDocument)).apiTokens.filter((t) => t.name === name && !t.revokedAt);
  for (const token of earlier) unwrap((await client.request(RevokeApiTokenDocument, { id: token.id })).revokeApiToken);
  const created = unwrap(
    (await client.request(CreateApiTokenDocument, {
      input: { name, scopes: session.user.role === "ADMIN" ? ADMIN_SCOPES : CLI_SCOPES, expiresInDays: CLI_TOKEN_DAYS },
    })).createApiToken,
  );
  await client.request(LogoutDocument);
  return { token: created.token, tokenId: created.apiToken.id, email: session.user.email };
}


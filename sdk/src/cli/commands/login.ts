import { hostname } from "node:os";
import type { Command } from "commander";
import { createClient, type SlipwayClient } from "../../client.js";
import { CreateApiTokenDocument, LoginDocument, LogoutDocument, ViewerDocument } from "../../generated/graphql.js";
import { configPath, writeStoredLogin } from "../config-file.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { createPrompter } from "../prompt.js";
import { unwrap } from "../results.js";
import { apiUrl } from "../session.js";

/** What a CLI token may do; an admin's also manages servers. */
const CLI_SCOPES = ["read", "projects:write", "deploy"];
const ADMIN_SCOPES = [...CLI_SCOPES, "servers:write"];

export function registerLogin(program: Command): void {
  program
    .command("login")
    .description("Sign in to a Slipway server and store an API token for the other commands")
    .argument("[url]", "the server's address (default: $SLIPWAY_URL, else asked)")
    .option("--email <email>", "sign in as this user (asked when missing)")
    .option("--token <token>", "store this API token instead of signing in with a password")
    .addHelpText("after", "\nThe password is read from the terminal, or as one line from stdin when it is not a terminal.\nThe login is written to $XDG_CONFIG_HOME/slipway/config.json (~/.config/slipway/config.json), readable only by you.")
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
}

async function viewerEmail(client: SlipwayClient): Promise<string> {
  const viewer = (await client.request(ViewerDocument)).viewer;
  if (!viewer) throw new CliError("The server did not accept the token", ExitCode.Auth);
  return viewer.email;
}

/** Trades the password for a long-lived API token, then ends the short session it used. */
async function signIn(url: string, email: string, password: string): Promise<{ token: string; email: string }> {
  const anonymous = createClient({ url });
  const session = unwrap((await anonymous.request(LoginDocument, { input: { email, password } })).login);
  const client = createClient({ url, token: session.token });
  const created = unwrap(
    (await client.request(CreateApiTokenDocument, {
      input: { name: `slipway CLI on ${hostname()}`, scopes: session.user.role === "ADMIN" ? ADMIN_SCOPES : CLI_SCOPES },
    })).createApiToken,
  );
  await client.request(LogoutDocument);
  return { token: created.token, email: session.user.email };
}

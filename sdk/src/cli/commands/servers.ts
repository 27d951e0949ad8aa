import type { Command } from "commander";
import { AdoptServerDocument, SshPublicKeyDocument, UpgradeAgentDocument } from "../../generated/graphql.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { followOperation } from "../follow.js";
import { listServers, pickServers, serverNames } from "../lookup.js";
import { formatServers } from "../output/listings.js";
import { printListing } from "../print.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

interface AdoptOptions {
  name: string;
  sshPort?: string;
  sshUser?: string;
  json?: boolean;
}

export function registerServers(program: Command): void {
  const servers = program.command("servers").description("List, adopt and upgrade servers");

  servers
    .command("list", { isDefault: true })
    .description("List servers (the default)")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway servers", "slipway servers list --json"))
    .action(async (options: { json?: boolean }) => {
      const list = await listServers(await connect());
      printListing(options.json, list, formatServers(list));
    });

  servers
    .command("ssh-key")
    .description("Print the control plane's SSH public key, for authorized_keys on a host to adopt")
    .addHelpText("after", examples("slipway servers ssh-key >> /tmp/key.pub"))
    .action(async () => {
      process.stdout.write(`${(await (await connect()).request(SshPublicKeyDocument)).sshPublicKey}\n`);
    });

  servers
    .command("adopt")
    .description("Register an SSH host and install the agent on it, following the progress")
    .argument("<host>", "its IPv4 address or host name")
    .requiredOption("--name <name>", "the server's name in Slipway")
    .option("--ssh-port <port>", "SSH port (default 22)")
    .option("--ssh-user <user>", 'SSH user (default "root")')
    .option("--json", "print one JSON object per event and a final summary")
    .addHelpText("after", "\nAdd the key `slipway servers ssh-key` prints to the host's authorized_keys first.\nExits 0 when the agent is installed and 1 when that fails.")
    .addHelpText("after", examples("slipway servers adopt 203.0.113.7 --name web-3", "slipway servers adopt host.example.com --name web-4 --ssh-user deploy --ssh-port 2222"))
    .action(async (host: string, options: AdoptOptions) => {
      const sshPort = options.sshPort === undefined ? undefined : Number(options.sshPort);
      if (sshPort !== undefined && !Number.isInteger(sshPort)) throw new CliError("--ssh-port is a port number", ExitCode.Usage);
      const client = await connect();
      const operation = unwrap((await client.request(AdoptServerDocument, { input: { host, name: options.name, sshPort, sshUser: options.sshUser } })).adoptServer);
      if (!options.json) process.stdout.write(`${operation.title}: operation ${operation.id}\n`);
      process.exitCode = await followOperation(client, operation.id, Boolean(options.json), serverNames(await listServers(client)));
      await client.close();
    });

  servers
    .command("upgrade-agent")
    .description("Install this control plane's agent version on a server, following the progress")
    .argument("<server>", "the server's name or id")
    .option("--json", "print one JSON object per event and a final summary")
    .addHelpText("after", "\nDeploys are refused to a server whose agent is older than the control plane's (the AGENT column says so).\nExits 0 when the agent is installed and 1 when that fails.")
    .addHelpText("after", examples("slipway servers upgrade-agent web-3"))
    .action(async (name: string, options: { json?: boolean }) => {
      const client = await connect();
      const list = await listServers(client);
      const [id] = pickServers(list, [name]);
      const operation = unwrap((await client.request(UpgradeAgentDocument, { id: id! })).upgradeAgent);
      if (!options.json) process.stdout.write(`${operation.title}: operation ${operation.id}\n`);
      process.exitCode = await followOperation(client, operation.id, Boolean(options.json), serverNames(list));
      await client.close();
    });
}

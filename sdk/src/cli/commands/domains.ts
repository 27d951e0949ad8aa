import type { Command } from "commander";
import { ServiceDomainsDocument, SetDomainsDocument } from "../../generated/graphql.js";
import { CliError, ExitCode } from "../exit-codes.js";
import { examples } from "../help.js";
import { findService } from "../lookup.js";
import { formatTable } from "../output/table.js";
import { printListing, printResult } from "../print.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

export function registerDomains(program: Command): void {
  const domains = program
    .command("domains")
    .description("List and set a service's domains (DNS and HTTPS follow at the next deploy)")
    .addHelpText("after", examples("slipway domains list shop/web", "slipway domains set shop/web shop.example.com www.shop.example.com"));

  domains
    .command("list")
    .description("List the domains, with their DNS and certificate state")
    .argument("<project/service>", "e.g. shop/web")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway domains list shop/web"))
    .action(async (path: string, options: { json?: boolean }) => {
      const client = await connect();
      const node = (await client.request(ServiceDomainsDocument, { id: (await findService(client, path)).id })).node;
      const statuses = node && "domainStatuses" in node ? node.domainStatuses : [];
      const text =
        statuses.length === 0
          ? `${path} has no domains.`
          : formatTable(
              ["HOSTNAME", "LIVE", "DNS", "CERTIFICATE"],
              statuses.map((d) => [d.hostname, d.live ? "yes" : "not yet", d.dnsRecordsSynced ? "in step" : "not yet", d.certificate ? `until ${d.certificate.expiresAt}` : "-"]),
            );
      printListing(options.json, statuses, text);
    });

  domains
    .command("set")
    .description("Replace the service's domains with these")
    .argument("<project/service>", "e.g. shop/web")
    .argument("[hostnames...]", "host names; https:// and a trailing / are dropped")
    .option("--none", "remove every domain")
    .option("--json", "print JSON")
    .addHelpText("after", examples("slipway domains set shop/web shop.example.com", "slipway domains set shop/web --none"))
    .action(async (path: string, hostnames: string[], options: { none?: boolean; json?: boolean }) => {
      if (hostnames.length === 0 && !options.none) throw new CliError("Give the host names, or --none to remove every domain", ExitCode.Usage);
      const client = await connect();
      const service = await findService(client, path);
      const result = unwrap((await client.request(SetDomainsDocument, { serviceId: service.id, hostnames: hostnames.map(bareHostname) })).setDomains);
      const list = result.domains.length > 0 ? result.domains.join(", ") : "none";
      printResult(options.json, result, `Domains of ${path}: ${list}. DNS records and certificates follow at the next deploy.`);
    });
}

/** `https://Shop.example.com/` → `shop.example.com`. Pure. */
export function bareHostname(value: string): string {
  return value.trim().replace(/^[a-z]+:\/\//i, "").replace(/\/+$/, "").toLowerCase();
}

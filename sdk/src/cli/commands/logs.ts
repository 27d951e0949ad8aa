import type { Command } from "commander";
import type { SlipwayClient } from "../../client.js";
import { OperationEventHistoryDocument } from "../../generated/graphql.js";
import { examples } from "../help.js";
import { listServers, resolveOperationId, serverNames } from "../lookup.js";
import { eventJson, formatEventLine, type OperationEvent } from "../output/events.js";
import { connect } from "../session.js";

const PAGE = 500;

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("Print the events of a deployment's or another operation's run")
    .argument("<id>", "a deployment id (as `slipway deployments` shows it) or an operation id")
    .option("-f, --follow", "keep printing new events live until the operation ends")
    .option("--json", "print one JSON object per event")
    .addHelpText("after", examples("slipway logs 3f2a9c1e", "slipway logs --follow 3f2a9c1e", "slipway logs --json <operation-id>"))
    .action(async (id: string, options: { follow?: boolean; json?: boolean }) => {
      const client = await connect();
      const operationId = await resolveOperationId(client, id);
      const names = serverNames(await listServers(client));
      const print = (event: OperationEvent) =>
        process.stdout.write(`${options.json ? eventJson(event) : formatEventLine(event, names)}\n`);
      const events = options.follow ? client.operationEvents(operationId) : history(client, operationId);
      for await (const event of events) print(event);
      await client.close();
    });
}

async function* history(client: SlipwayClient, operationId: string): AsyncGenerator<OperationEvent> {
  let afterSeq = 0;
  while (true) {
    const node = (await client.request(OperationEventHistoryDocument, { id: operationId, afterSeq, first: PAGE })).node;
    const events = node && "events" in node ? node.events : [];
    yield* events;
    if (events.length < PAGE) return;
    afterSeq = events.at(-1)!.seq;
  }
}

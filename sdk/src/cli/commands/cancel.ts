import type { Command } from "commander";
import { CancelOperationDocument } from "../../generated/graphql.js";
import { examples } from "../help.js";
import { resolveOperationId } from "../lookup.js";
import { cancelRequestJson, formatCancelRequest } from "../output/events.js";
import { unwrap } from "../results.js";
import { connect } from "../session.js";

export function registerCancel(program: Command): void {
  program
    .command("cancel")
    .description("Stop a queued or running deploy or rollback; servers it already switched go back to what they ran")
    .argument("<id>", "a deployment id (as `slipway deployments` shows it) or an operation id")
    .option("--json", "print the operation as JSON")
    .addHelpText(
      "after",
      `${examples("slipway cancel 3f2a9c1e", "slipway cancel 3f2a9c1e && slipway logs --follow 3f2a9c1e")}\n\nExits 1 when the operation has already ended or cannot be stopped safely.`,
    )
    .action(async (id: string, options: { json?: boolean }) => {
      const client = await connect();
      const result = await client.request(CancelOperationDocument, { id: await resolveOperationId(client, id) });
      const operation = unwrap(result.cancelOperation);
      process.stdout.write(`${options.json ? cancelRequestJson(operation) : formatCancelRequest(operation, id)}\n`);
    });
}

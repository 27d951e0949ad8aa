import { CliError, ExitCode } from "./exit-codes.js";
import { createPrompter } from "./prompt.js";

/**
 * A destructive command goes ahead with --yes, or when the person at a terminal types `name`
 * back; without a terminal and without --yes it is refused (exit 2), never assumed.
 */
export async function confirmByName(what: string, name: string, yes: boolean | undefined): Promise<void> {
  if (yes) return;
  if (!process.stdin.isTTY) throw new CliError(`Refusing to ${what} without confirmation: add --yes`, ExitCode.Usage);
  const prompter = createPrompter();
  try {
    const answer = await prompter.ask(`Type ${name} to ${what}: `);
    if (answer !== name) throw new CliError(`Not confirmed ("${answer}" is not ${name}); nothing was changed`, ExitCode.Usage);
  } finally {
    prompter.close();
  }
}

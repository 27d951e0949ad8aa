import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { CliError, ExitCode } from "./exit-codes.js";

export interface Prompter {
  ask(question: string): Promise<string>;
  /** Typed characters are not echoed. */
  askSecret(question: string): Promise<string>;
  close(): void;
}

/** Questions go to stderr; answers come from stdin, a terminal or a pipe (one answer per line). */
export function createPrompter(input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Prompter {
  let muted = false;
  const echo = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output: echo, terminal: Boolean(input.isTTY) });
  // A terminal in raw mode turns Ctrl-C into this event instead of a signal.
  rl.on("SIGINT", () => process.exit(130));
  const lines = rl[Symbol.asyncIterator]();
  const next = async (question: string) => {
    output.write(question);
    const line = await lines.next();
    if (line.done) throw new CliError(`No answer to "${question.trim()}" (stdin ended)`, ExitCode.Usage);
    return line.value.trim();
  };
  return {
    ask: next,
    async askSecret(question) {
      muted = true;
      try {
        return await next(question);
      } finally {
        muted = false;
        if (input.isTTY) output.write("\n");
      }
    },
    close: () => rl.close(),
  };
}

#!/usr/bin/env node
import { CommanderError } from "commander";
import { exitCodeFor, ExitCode } from "./exit-codes.js";
import { buildProgram } from "./program.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the help or the usage error.
    process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  } else {
    process.stderr.write(`slipway: ${(error as Error).message}\n`);
    process.exitCode = exitCodeFor(error);
  }
}

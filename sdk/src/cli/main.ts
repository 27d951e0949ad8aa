#!/usr/bin/env node
import { CommanderError } from "commander";
import { errorJson, exitCodeFor, ExitCode } from "./exit-codes.js";
import { styleFor } from "./output/style.js";
import { buildProgram } from "./program.js";

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has already printed the help or the usage error.
    process.exitCode = error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  } else {
    const exitCode = exitCodeFor(error);
    process.exitCode = exitCode;
    // Machines asked for JSON: they get the failure as JSON too, on stdout where they read.
    if (process.argv.includes("--json")) process.stdout.write(`${errorJson(error, exitCode)}\n`);
    const style = styleFor(process.stderr);
    process.stderr.write(`${style.red(style.bold("slipway:"))} ${(error as Error).message}\n`);
  }
}

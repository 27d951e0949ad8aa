// The one place an argv becomes a command line for a remote POSIX shell (SSH sends a string).

// Arguments made only of these characters mean the same to sh quoted or not, so they stay bare.
const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes each argument so the remote shell sees exactly `argv`: no expansion, splitting or globbing. */
export function shellQuote(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("shellQuote needs at least one argument");
  return argv.map(quoteArgument).join(" ");
}

function quoteArgument(arg: string): string {
  // A NUL cannot be part of any argument a process receives; refuse rather than truncate.
  if (arg.includes("\0")) throw new Error("A command argument must not contain a NUL byte");
  if (SAFE.test(arg)) return arg;
  // Inside single quotes nothing is special except the closing quote: end, escape it, reopen.
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

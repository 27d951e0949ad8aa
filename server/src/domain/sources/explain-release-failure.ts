import type { ProjectKind } from "./dockerfile.js";

// A release of an image Slipway built from a generated Dockerfile failed: say what to change.
// The agent reports what it saw (nothing answering on the port, the container exiting); for
// generated Dockerfiles Slipway knows why that usually happens — the app ignores PORT, or its
// start command fails — and names the fix before the agent's own words. Pure.

/** The start command of a generated Dockerfile, by kind: what to fix when the app does not start. */
const START_FIX: Record<ProjectKind, string> = {
  node: 'check the "start" script (or main) in package.json',
  python: "check that app.py or main.py starts a web server",
  go: "check that the main package starts a web server",
  static: "check the site's files",
};

/** The agent's words for "nothing listens on the container's port". */
const NOTHING_ANSWERED = /did not pass within \d+s \(last: (?:socket hang up|read ECONNRESET|connect ECONNREFUSED[^)]*|no answer within[^)]*)\)/;
const EXITED = /container exited (?:with code \S+|and was restarted \d+ time\(s\)) before it became healthy/;

export function explainReleaseFailure(dockerfile: string | undefined, port: number, error: string | null): string | null {
  if (error === null || !dockerfile?.startsWith("generated:")) return error;
  const kind = dockerfile.slice("generated:".length) as ProjectKind;
  if (!(kind in START_FIX)) return error;
  if (NOTHING_ANSWERED.test(error)) {
    return (
      `Nothing answered on port ${port}, where the generated Dockerfile tells the app to listen (PORT=${port}): ` +
      `make the app listen on the PORT environment variable on 0.0.0.0, or set the service's port to the one it listens on, ` +
      `or add a Dockerfile. (${error})`
    );
  }
  if (EXITED.test(error)) {
    return `The app stopped before it answered on port ${port}: ${START_FIX[kind]} (it must keep running and listen on PORT), or add a Dockerfile. (${error})`;
  }
  return error;
}

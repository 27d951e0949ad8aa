/** The server presented a host key other than the pinned one: nothing was sent to it. */
export class HostKeyMismatchError extends Error {
  override name = "HostKeyMismatchError";
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`host key changed: expected ${expected}, got ${actual}`);
  }
}

/** The SSH connection could not be made or broke (unreachable, refused, authentication, timeout). */
export class SshConnectionError extends Error {
  override name = "SshConnectionError";
}

/** A remote command ran longer than allowed; it was signalled and its channel closed. */
export class SshCommandTimeoutError extends Error {
  override name = "SshCommandTimeoutError";
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`${command} did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
}

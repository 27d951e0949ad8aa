import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Duplex } from "node:stream";
import ssh2 from "ssh2";
import type { ClientChannel, SFTPWrapper } from "ssh2";
import { ChannelStream } from "./channel-stream.js";
import { HostKeyMismatchError, SshCommandTimeoutError, SshConnectionError } from "./errors.js";
import { sha256Fingerprint } from "./fingerprint.js";
import type { SshIdentity } from "./identity.js";
import { shellQuote } from "./shell-quote.js";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** The pinned host key; null on first contact, when the key shown is accepted and pinned. */
  pinnedFingerprint: string | null;
  /** Called with the key of a first contact before anything runs; throwing refuses the host. */
  onFirstContact?: (fingerprint: string) => Promise<void>;
}

export interface ConnectOptions {
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

export interface ExecOptions {
  timeoutMs?: number;
  stdin?: string | Buffer;
  /** Output beyond this many bytes per stream is dropped (and `truncated` set). */
  maxOutputBytes?: number;
}

export interface ExecResult {
  /** null when the command was ended by a signal. */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export interface UploadFile {
  /** Absolute path on the server. */
  path: string;
  contents?: string | Buffer;
  /** A file on the control plane's machine, streamed instead of `contents`. */
  localPath?: string;
  mode: number;
}

const DEFAULT_EXEC_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

/**
 * One authenticated SSH connection to one server, its host key checked against the pinned one
 * before authentication, so a server that is not the one we pinned never receives a command.
 */
export class SshConnection {
  private closedFlag = false;
  private why: string | null = null;
  private readonly closeListeners = new Set<() => void>();

  private constructor(
    private readonly client: ssh2.Client,
    readonly target: SshTarget,
    readonly hostKeyFingerprint: string,
    keepalive: Required<Pick<ConnectOptions, "keepaliveIntervalMs" | "keepaliveCountMax">>,
  ) {
    const ended = (why: string) => {
      if (this.closedFlag) return;
      this.closedFlag = true;
      this.why ??= why;
      for (const listener of this.closeListeners) listener();
    };
    client.on("close", () => ended("the server closed the SSH connection"));
    client.on("end", () => ended("the server closed the SSH connection"));
    // After the handshake, errors (a keepalive timeout, a reset) end the connection; the pool reconnects.
    client.on("error", (error: Error & { level?: string }) => ended(describeLoss(error, keepalive)));
  }

  static open(target: SshTarget, identity: SshIdentity, options: ConnectOptions = {}): Promise<SshConnection> {
    const where = `${target.username}@${target.host}:${target.port}`;
    const keepalive = { keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000, keepaliveCountMax: options.keepaliveCountMax ?? 3 };
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let presented: string | null = null;
      let refusal: Error | null = null;
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        client.end();
        reject(refusal ?? error);
      };
      client.once("ready", () => {
        if (settled) return;
        settled = true;
        client.removeListener("error", onHandshakeError);
        resolve(new SshConnection(client, target, presented!, keepalive));
      });
      const onHandshakeError = (error: Error & { level?: string }) =>
        fail(new SshConnectionError(`Could not connect to ${where}: ${describeConnectError(error)}`));
      client.on("error", onHandshakeError);
      client.on("close", () => fail(new SshConnectionError(`Could not connect to ${where}: the connection closed during the handshake`)));
      client.connect({
        host: target.host,
        port: target.port,
        username: target.username,
        privateKey: identity.privateKey,
        readyTimeout: options.readyTimeoutMs ?? 15_000,
        keepaliveInterval: keepalive.keepaliveIntervalMs,
        keepaliveCountMax: keepalive.keepaliveCountMax,
        // ssh2 calls this before authenticating; answering later (verify) keeps the handshake waiting.
        hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
          presented = sha256Fingerprint(key);
          if (target.pinnedFingerprint !== null) {
            if (presented === target.pinnedFingerprint) return verify(true);
            refusal = new HostKeyMismatchError(target.pinnedFingerprint, presented);
            return verify(false);
          }
          const record = target.onFirstContact ?? (async () => undefined);
          record(presented).then(
            () => verify(true),
            (error: unknown) => {
              refusal = error instanceof Error ? error : new Error(String(error));
              verify(false);
            },
          );
        },
      });
    });
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** Why the connection ended (null while it is open): names a host gone silent, a reset, our own close. */
  get endReason(): string | null {
    return this.why;
  }

  onClose(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  close(): void {
    if (!this.closedFlag) this.why = "closed by Slipway";
    this.client.end();
  }

  /** Runs `argv` on the server (quoted by shellQuote, never concatenated) and collects its output. */
  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = shellQuote(argv);
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, stream) => {
        if (error) return reject(new SshConnectionError(`Could not start ${argv[0]} on ${this.target.host}: ${error.message}`));
        const stdout = new Capture(limit);
        const stderr = new Capture(limit);
        let code: number | null = null;
        let signal: string | null = null;
        const timer = setTimeout(() => {
          stream.signal("KILL");
          stream.close();
          reject(new SshCommandTimeoutError(argv[0]!, timeoutMs));
        }, timeoutMs);
        stream.on("data", (chunk: Buffer) => stdout.add(chunk));
        stream.stderr.on("data", (chunk: Buffer) => stderr.add(chunk));
        stream.on("exit", (exitCode: number | null, exitSignal?: string) => {
          code = exitCode ?? null;
          signal = exitSignal ?? null;
        });
        stream.on("close", () => {
          clearTimeout(timer);
          resolve({ code, signal, stdout: stdout.text(), stderr: stderr.text(), truncated: stdout.truncated || stderr.truncated });
        });
        if (options.stdin !== undefined) stream.end(options.stdin);
        else stream.end();
      });
    });
  }

  /**
   * Writes files over SFTP: each goes to a temporary name in its folder (created if missing), gets
   * its mode, then replaces the target in one rename, so a reader never sees half a file.
   */
  async upload(files: readonly UploadFile[]): Promise<void> {
    const sftp = await this.sftp();
    try {
      for (const file of files) {
        if (!path.posix.isAbsolute(file.path)) throw new Error(`Upload paths must be absolute: ${file.path}`);
        if ((file.contents === undefined) === (file.localPath === undefined)) {
          throw new Error(`Upload of ${file.path} needs exactly one of contents or localPath`);
        }
        await mkdirs(sftp, path.posix.dirname(file.path));
        const temporary = `${file.path}.slipway-upload-${randomBytes(6).toString("hex")}`;
        try {
          if (file.localPath !== undefined) await call<void>((cb) => sftp.fastPut(file.localPath!, temporary, { mode: file.mode }, cb));
          else await call<void>((cb) => sftp.writeFile(temporary, file.contents!, { mode: file.mode }, cb));
          // The mode given at open is filtered by the server's umask; set it exactly.
          await call<void>((cb) => sftp.chmod(temporary, file.mode, cb));
          await call<void>((cb) => sftp.ext_openssh_rename(temporary, file.path, cb));
        } catch (error) {
          await call<void>((cb) => sftp.unlink(temporary, cb)).catch(() => undefined);
          throw new SshConnectionError(`Could not upload ${file.path} to ${this.target.host}: ${(error as Error).message}`);
        }
      }
    } finally {
      sftp.end();
    }
  }

  /** A stream to 127.0.0.1:`port` as seen from the server (an SSH direct-tcpip channel). */
  forward(port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut("127.0.0.1", 0, "127.0.0.1", port, (error, channel: ClientChannel) => {
        if (error) return reject(new SshConnectionError(`Could not reach port ${port} on ${this.target.host} through SSH: ${error.message}`));
        resolve(new ChannelStream(channel));
      });
    });
  }

  private sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => {
      this.client.sftp((error, sftp) =>
        error ? reject(new SshConnectionError(`Could not open SFTP on ${this.target.host}: ${error.message}`)) : resolve(sftp),
      );
    });
  }
}

class Capture {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  add(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept !== chunk) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }

  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}

function call<T>(start: (callback: (error: Error | null | undefined, value?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value as T))));
}

async function mkdirs(sftp: SFTPWrapper, dir: string): Promise<void> {
  const exists = await call((cb) => sftp.stat(dir, cb)).then(
    () => true,
    () => false,
  );
  if (exists || dir === "/") return;
  await mkdirs(sftp, path.posix.dirname(dir));
  await call<void>((cb) => sftp.mkdir(dir, { mode: 0o755 }, cb)).catch(async (error: unknown) => {
    // Made meanwhile by a parallel upload: fine.
    const nowExists = await call((cb) => sftp.stat(dir, cb)).then(() => true, () => false);
    if (!nowExists) throw error;
  });
}

function describeConnectError(error: Error & { level?: string; code?: string }): string {
  if (error.level === "client-authentication") {
    return "the server refused our SSH key (add the control plane's public key to authorized_keys)";
  }
  if (error.level === "client-timeout") return "no SSH handshake within the timeout (is the host reachable?)";
  if (error.code === "ECONNREFUSED") return "connection refused (is sshd running on that port?)";
  if (error.code === "ETIMEDOUT" || error.code === "EHOSTUNREACH" || error.code === "ENETUNREACH") return `the host is unreachable (${error.code})`;
  return error.message;
}

/** Why an established connection ended, from the error ssh2 reported. */
function describeLoss(error: Error & { level?: string; code?: string }, keepalive: { keepaliveIntervalMs: number; keepaliveCountMax: number }): string {
  if (error.level === "client-timeout") {
    return `the server answered none of ${keepalive.keepaliveCountMax} SSH keepalives ${keepalive.keepaliveIntervalMs / 1000} s apart`;
  }
  if (error.code === "ECONNRESET") return "the SSH connection was reset";
  return `the SSH connection failed (${error.message})`;
}

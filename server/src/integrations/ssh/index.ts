export { SshConnection, type ConnectOptions, type ExecOptions, type ExecResult, type SshTarget, type UploadFile } from "./connection.js";
export { HostKeyMismatchError, SshCommandTimeoutError, SshConnectionError } from "./errors.js";
export { sha256Fingerprint } from "./fingerprint.js";
export { generateSshIdentity, identityFromPrivateKey, type SshIdentity } from "./identity.js";
export { SshPool } from "./pool.js";
export { shellQuote } from "./shell-quote.js";

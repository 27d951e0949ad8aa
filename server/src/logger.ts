import { pino, type Logger } from "pino";

export type { Logger };

// Field names that may carry secrets are censored wherever they appear in a log line.
const SECRET_PATHS = [
  "password", "token", "secret", "authorization", "ciphertext", "value",
  "*.password", "*.token", "*.secret", "*.authorization", "*.ciphertext", "*.value",
  "req.headers.authorization",
];

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: SECRET_PATHS, censor: "[redacted]" }, base: { service: "slipway-server" } });
}

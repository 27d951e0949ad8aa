import { z } from "zod";
import { ValidationError } from "./errors.js";

/** Parses outside input with a zod schema; a failure becomes one ValidationError naming each field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors = result.error.issues.map((issue) => ({
    path: issue.path.map(String),
    message: issue.message,
  }));
  const summary = fieldErrors.map((f) => (f.path.length ? `${f.path.join(".")}: ${f.message}` : f.message)).join("; ");
  throw new ValidationError(`Invalid input: ${summary}`, fieldErrors);
}

/** Names of projects and services: they end up in image tags, container names and DNS labels. */
export const resourceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, "use 1-40 lowercase letters, digits or hyphens, starting with a letter")
  .refine((name) => !name.endsWith("-") && !name.includes("--"), "must not end with a hyphen or contain two in a row")
  // The console's addresses use names (/projects/shop/services/web) next to .../new.
  .refine((name) => name !== "new", '"new" is reserved');

export const email = z.string().trim().toLowerCase().max(254).pipe(z.email("must be an email address"));

export const port = z.number().int().min(1).max(65535);

/** How a new container is checked and how long an old one drains: the service's release timing. */
export const releaseTiming = {
  healthCheckTimeoutSeconds: z.number().int().min(1, "must be at least 1 second").max(600, "must be at most 600 seconds"),
  healthCheckIntervalMs: z.number().int().min(25, "must be at least 25 ms").max(60_000, "must be at most 60000 ms"),
  drainTimeoutSeconds: z.number().int().min(0, "must not be negative").max(3600, "must be at most 3600 seconds"),
};

export const healthCheckPath = z
  .string()
  .max(512)
  .regex(/^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/, "must be a URL path starting with / and without spaces or quotes");

/** POSIX-portable environment variable names. */
export const envKey = z.string().max(256).regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be letters, digits and underscores, not starting with a digit");

export const envValue = z.string().max(32 * 1024).refine((v) => !v.includes("\0"), "must not contain NUL bytes");

/**
 * A git ref as `git check-ref-format --allow-onelevel` accepts it, and never one that could be
 * read as an option (`--upload-pack=...`).
 */
export const gitRef = z
  .string()
  .min(1)
  .max(255)
  .refine((ref) => !ref.startsWith("-"), "must not start with '-'")
  .refine(
    (ref) =>
      !/[\x00-\x20\x7f~^:?*[\\]/.test(ref) &&
      !ref.includes("..") &&
      !ref.includes("@{") &&
      !ref.includes("//") &&
      !ref.startsWith("/") &&
      !ref.endsWith("/") &&
      !ref.endsWith(".") &&
      !ref.endsWith(".lock") &&
      ref !== "@" &&
      !ref.split("/").some((part) => part.startsWith(".")),
    "is not a valid git ref",
  );

// Hosts and users never start with "-", which git or ssh would read as an option.
const SECURE_GIT_URLS = [
  /^https:\/\/[A-Za-z0-9][A-Za-z0-9.-]*(:\d+)?\/[A-Za-z0-9._~\/-]+$/,
  /^ssh:\/\/[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*(:\d+)?\/[A-Za-z0-9._~\/-]+$/,
  /^[A-Za-z0-9_][A-Za-z0-9._-]*@[A-Za-z0-9][A-Za-z0-9.-]*:[A-Za-z0-9._~][A-Za-z0-9._~\/-]*$/,
];
/** git:// and http:// on this machine's loopback: a repository served by a test or the lab. */
const LOOPBACK_INSECURE_GIT_URL = /^(?:git|http):\/\/(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d{1,5})?\/[A-Za-z0-9._~\/-]+$/;

/**
 * A repository URL git cannot take for an option: https://, ssh:// or scp-style user@host:path;
 * with allowInsecureTransports (SLIPWAY_ALLOW_INSECURE_GIT=1: the lab and tests) also git:// and
 * http:// on loopback. Both rules are one schema, so no stricter check runs before the exception.
 */
export function gitRepositoryUrl(allowInsecureTransports: boolean) {
  return z
    .string()
    .max(2048)
    .refine(
      (url) => SECURE_GIT_URLS.some((re) => re.test(url)) || (allowInsecureTransports && LOOPBACK_INSECURE_GIT_URL.test(url)),
      allowInsecureTransports
        ? "must be an https://, ssh:// or user@host:path repository URL (git:// or http:// only on loopback)"
        : "must be an https://, ssh:// or user@host:path repository URL",
    );
}

/** https:// or ssh:// URLs, or scp-style git@host:path; never something git would parse as an option. */
export const gitRepository = gitRepositoryUrl(false);

/** A Docker image reference: [registry[:port]/]name[:tag][@digest]. */
export const imageReference = z
  .string()
  .max(512)
  .regex(
    /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/,
    "is not a valid image reference",
  );

// Env values are secrets: nothing the agent says (progress, logs, errors) may contain one.
const MIN_SECRET_LENGTH = 4;

export type Redactor = (text: string) => string;

/** Replaces every env value (long enough to be meaningful) with [redacted]. */
export function envRedactor(env: Readonly<Record<string, string>>): Redactor {
  const secrets = [...new Set(Object.values(env))].filter((v) => v.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join("[redacted]");
    return out;
  };
}

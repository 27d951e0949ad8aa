// Mirrors the server's rule for project and service names, so a typo is caught before a round trip.
const NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

export const NAME_HINT =
  "Lowercase letters, digits and hyphens; starts with a letter; at most 40 characters.";

export function checkName(name: string): string | null {
  if (name.length === 0) return "Enter a name.";
  if (name.length > 40) return "Use at most 40 characters.";
  if (!/^[a-z]/.test(name)) return "Start the name with a lowercase letter.";
  if (!NAME_PATTERN.test(name)) return "Use only lowercase letters, digits and hyphens.";
  return null;
}

import { z } from "zod";

/** Service names become container names, nginx file names and label values. */
// Up to 99 characters: the server names services `<project>--<service>` (two names of up to 40).
export const ServiceName = z.string().regex(/^[a-z][a-z0-9-]{0,98}$/, "must be lowercase letters, digits and hyphens (1 to 99, starting with a letter)");

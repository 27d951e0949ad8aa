import { z } from "zod";

/** Service names become container names, nginx file names and label values. */
export const ServiceName = z.string().regex(/^[a-z][a-z0-9-]{0,80}$/, "must be lowercase letters, digits and hyphens");

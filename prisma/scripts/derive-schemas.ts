// Writes generated/postgresql.prisma from schema.prisma (the one source of Slipway's data model).
import path from "node:path";
import { writeDerivedSchemas } from "../src/providers.js";

console.log(`wrote ${path.relative(process.cwd(), writeDerivedSchemas())}`);

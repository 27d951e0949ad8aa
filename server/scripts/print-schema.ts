// Prints the schema to the repository's schema.graphql, which codegen and CI read.
import { writeFileSync } from "node:fs";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "../src/graphql/schema.js";

const target = new URL("../../schema.graphql", import.meta.url);
writeFileSync(target, printSchema(lexicographicSortSchema(schema)) + "\n");
console.log(`wrote ${target.pathname}`);

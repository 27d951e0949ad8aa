// `tsx scripts/preflight.ts test|lab|cluster`: stops with one message naming the install command
// when this machine lacks a part the command needs (see lab/src/machine-preflight.ts).
import { preflight, PURPOSES, type Purpose } from "../lab/src/machine-preflight.js";

const purpose = process.argv[2] as Purpose;
if (!(purpose in PURPOSES)) {
  console.error(`usage: tsx scripts/preflight.ts ${Object.keys(PURPOSES).join("|")}`);
  process.exit(2);
}
preflight(purpose).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});

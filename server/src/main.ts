// The control plane's entry point: `npm start` runs it compiled (dist/main.js), `npm run dev` from source.
import { runServer } from "./run-server.js";

await runServer();

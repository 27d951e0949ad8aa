// The server's suites once more on PostgreSQL (`npm run test:postgresql`, SLIPWAY_TEST_DATABASE=
// postgresql: each control plane gets a fresh database on the test server). Left out: suites that
// drive lab hosts or start processes of their own (they run once, on SQLite; the cluster suites run
// on PostgreSQL anyway), suites that never open a database, and one that picks its provider per test.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

const DRIVE_HOSTS_OR_PROCESSES = [
  "test/*-lab.test.ts",
  "test/e2e-*.test.ts",
  "test/acceptance-provisioning.test.ts",
  "test/servers.test.ts",
  "test/ssh.test.ts",
  "test/cluster*.test.ts",
  "test/main-process.test.ts",
];
const PROVIDER_CHOSEN_BY_THE_TEST = ["test/database.test.ts"];
const NO_DATABASE = [
  "test/autoscaling-decisions.test.ts",
  "test/cloud-init.test.ts",
  "test/cloudflare-client*.test.ts",
  "test/digitalocean-client.test.ts",
  "test/password-hashing.test.ts",
  "test/provider-rate-budget.test.ts",
  "test/release-states.test.ts",
  "test/servers-agent-client.test.ts",
  "test/servers-bootstrap.test.ts",
  "test/sign-in-throttling.test.ts",
  "test/sources-*.test.ts",
  "test/ssh-quote.test.ts",
];

export default mergeConfig(base, defineConfig({ test: { exclude: [...DRIVE_HOSTS_OR_PROCESSES, ...PROVIDER_CHOSEN_BY_THE_TEST, ...NO_DATABASE] } }));

/** The PostgreSQL server tests and migration tooling use (scripts/ci-postgres.sh starts it). */
export const POSTGRES_DEV_URL = process.env.SLIPWAY_TEST_POSTGRES_URL ?? "postgresql://slipway:slipway@127.0.0.1:5432/slipway_test";

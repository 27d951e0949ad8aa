#!/usr/bin/env bash
# Starts the local PostgreSQL 15 cluster and makes sure the test role and database exist.
# Idempotent: safe to run when the cluster is already up or the role already exists.
# The tests read SLIPWAY_TEST_POSTGRES_URL (default below); the role may create databases,
# which `prisma migrate dev` needs for its temporary shadow database.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
ROLE="${SLIPWAY_TEST_POSTGRES_ROLE:-slipway}"
PASSWORD="${SLIPWAY_TEST_POSTGRES_PASSWORD:-slipway}"
DATABASE="${SLIPWAY_TEST_POSTGRES_DB:-slipway_test}"

if ! pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1 == v && $2 == c && $4 == "online" { found = 1 } END { exit !found }'; then
  pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start
fi

for _ in $(seq 1 30); do
  if su postgres -c "pg_isready -q"; then break; fi
  sleep 1
done
su postgres -c "pg_isready"

psql_admin() { su postgres -c "psql -v ON_ERROR_STOP=1 -qtA $*"; }

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"")" != "1" ]; then
  psql_admin "-c \"CREATE ROLE \\\"$ROLE\\\" LOGIN CREATEDB PASSWORD '$PASSWORD'\""
else
  psql_admin "-c \"ALTER ROLE \\\"$ROLE\\\" LOGIN CREATEDB PASSWORD '$PASSWORD'\""
fi

if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"")" != "1" ]; then
  psql_admin "-c \"CREATE DATABASE \\\"$DATABASE\\\" OWNER \\\"$ROLE\\\"\""
fi

echo "SLIPWAY_TEST_POSTGRES_URL=postgresql://$ROLE:$PASSWORD@127.0.0.1:5432/$DATABASE"

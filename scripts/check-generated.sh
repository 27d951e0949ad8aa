#!/usr/bin/env bash
# Fails when a committed generated file is stale: the printed GraphQL schema, the SDK and console
# code generated from it, the PostgreSQL schema derived from prisma/schema.prisma, or either
# provider's migrations (which must produce its schema exactly; PostgreSQL's check needs the
# server that prisma/scripts/ci-postgres.sh starts).
set -euo pipefail
cd "$(dirname "$0")/.."

npx turbo run generate --output-logs=errors-only
stale=$(git status --porcelain -- schema.graphql sdk/src/generated apis/digitalocean/generated prisma/generated)
if [ -n "$stale" ]; then
  echo "Generated files are stale; run 'npm run generate' and commit:" >&2
  echo "$stale" >&2
  git --no-pager diff --stat -- schema.graphql sdk/src/generated apis/digitalocean/generated prisma/generated >&2
  exit 1
fi
npm run --silent -w @slipway/prisma migrate:check
echo "generated files and migrations are up to date"

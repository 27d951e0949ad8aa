#!/usr/bin/env bash
# Prints what failed in a test log, compactly: each vitest "Failed Tests" / "Failed Suites" /
# "Unhandled Errors" section (code frames and boilerplate left out) and TypeScript errors. CI only
# keeps the end of its output, so .ci/run repeats this after the turbo summary.
# Usage: scripts/ci-failures.sh LOG [MAX_LINES]
set -euo pipefail
log="$1"
max_lines="${2:-90}"

sed -E 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | awk '
  # turbo prefixes each line with "<package>:<task>: "
  { line = $0; sub(/^[^ ]+:[^ ]+: /, "", line) }
  line ~ /(Failed Tests|Failed Suites|Unhandled Errors) [0-9]* ?⎯/ || line ~ /⎯ (Failed Tests|Failed Suites|Unhandled Errors)/ { printing = 1; print $0; next }
  line ~ /^ *Test Files / { printing = 0 }
  line ~ /error TS[0-9]+:/ { print $0; next }
  !printing { next }
  line ~ /^ *$/ || line ~ /^ *[0-9]*\|/ || line ~ /node:internal|node_modules/ { next }
  line ~ /^(This (might|error)|The latest test|- (The error|If the error)|Vitest caught)/ { next }
  { print $0 }
' | head -n "$max_lines"

#!/usr/bin/env bash
# Node 20's --test expands no globs and finds no .ts files in a directory, so the shell lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
shopt -s globstar nullglob
files=(test/**/*.test.ts)
if [ "$#" -gt 0 ]; then files=("$@"); fi
[ "${#files[@]}" -gt 0 ] || { echo "no test files found" >&2; exit 1; }
# The tests that run bin/logferry.mjs use dist/ when it is fresh: build it once, before any test starts, so no test
# runs against a build in progress.
npm run --silent build
# A hung test fails after two minutes (TEST_TIMEOUT_MS; the full chaos run allows more) instead of holding CI.
exec node --import tsx --test --test-timeout="${TEST_TIMEOUT_MS:-120000}" --test-concurrency="${TEST_CONCURRENCY:-2}" "${files[@]}"

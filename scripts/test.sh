#!/usr/bin/env bash
# Sets up a fresh machine (system packages, a local dockerd for interop tests) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/start-dockerd.sh
swift build --build-tests
swift test --skip-build "$@"
# The whole run (no filter) ends with a short libFuzzer slice over the parsers of untrusted
# input; scripts/fuzz-parsers.sh alone runs them longer.
if [ $# -eq 0 ]; then
  scripts/fuzz-parsers.sh "${HOIST_FUZZ_SECONDS:-10}"
fi

#!/usr/bin/env bash
# Sets up a fresh machine (system packages, a local dockerd for interop tests) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/start-dockerd.sh
swift build --build-tests
# A hung run stops with the tests still running and their processes named, well inside CI's limit.
scripts/test-watchdog.py --quiet-minutes 15 --deadline-minutes 60 -- swift test --skip-build "$@"
# The whole run (no filter) ends with a short fuzzing slice over the parsers of untrusted
# input, with the debug build's random driver (libFuzzer needs an instrumented build of its
# own, too long for CI: scripts/fuzz-parsers.sh alone runs libFuzzer, longer).
if [ $# -eq 0 ]; then
  HOIST_FUZZ_ENGINE=${HOIST_FUZZ_ENGINE:-random} scripts/fuzz-parsers.sh "${HOIST_FUZZ_SECONDS:-10}"
fi

#!/usr/bin/env bash
# Sets up a fresh machine (system packages, a local dockerd for interop tests) and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/start-dockerd.sh
swift build --build-tests
swift test --skip-build "$@"

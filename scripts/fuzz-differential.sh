#!/usr/bin/env bash
# The differential Dockerfile fuzzer's long run: random Dockerfiles and contexts built by Hoist
# and by Docker's BuildKit (DOCKER_BUILDKIT=1 /usr/bin/docker build), compared on files and
# config, each then rebuilt from the cache and twice with SOURCE_DATE_EPOCH
# (Tests/HoistCLITests/DifferentialFuzzTests.swift; CI runs its first 6 seeds).
#   usage: scripts/fuzz-differential.sh [CASES] [FIRST_SEED]
# A divergent seed is printed with its Dockerfile and context; the same seed gives the same case.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/start-dockerd.sh
swift build --build-tests >/dev/null
HOIST_DIFF_FUZZ_CASES=${1:-200} HOIST_DIFF_FUZZ_SEED=${2:-$(date +%s)} \
  swift test --skip-build --filter DifferentialFuzzTests 2>&1 | tee "${TMPDIR:-/tmp}/hoist-fuzz-differential.log" |
  grep -E 'differential fuzzer:|divergences for|✘' || true
tail -1 "${TMPDIR:-/tmp}/hoist-fuzz-differential.log"
grep -q '✔ Test run' "${TMPDIR:-/tmp}/hoist-fuzz-differential.log"

#!/bin/sh
# Benchmarks HoistDockerfile's parse time on a generated 5,000-line Dockerfile (or on a file).
#
#   scripts/bench-parse.sh                 # debug build, 10 rounds
#   scripts/bench-parse.sh -c release      # optimised build (builds every target in release)
#   scripts/bench-parse.sh path/Dockerfile # benchmark a given file
#   HOIST_PARSE_BENCH_ROUNDS=50 scripts/bench-parse.sh
set -eu
cd "$(dirname "$0")/.."
configuration=debug
while [ $# -gt 0 ]; do
    case "$1" in
        -c) configuration="$2"; shift 2 ;;
        -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
        *) HOIST_PARSE_BENCH_FILE="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; export HOIST_PARSE_BENCH_FILE; shift ;;
    esac
done
export HOIST_PARSE_BENCH=1
swift test -c "$configuration" --filter 'HoistDockerfileTests.ParseBenchmark/parseFiveThousandLines' 2>&1 |
    sed -n '/^Parse benchmark:/,/all layers/p; /error:/p; /✘/p'

#!/usr/bin/env bash
# The main job on a fresh machine, offline: build hoist, make a busybox base image from Debian's
# busybox-static, and show it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product hoist
hoist=$(swift build -c release --show-bin-path)/hoist
"$hoist" --version

#!/usr/bin/env bash
# Docker worker benchmark (not a test): every case of Tests/Differential built with
# `hoist --backend docker build --no-cache` (steps, COPY/ADD/WORKDIR included, in the daemon),
# printing each case's seconds and the total. HOIST=path/to/hoist compares another binary.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/start-dockerd.sh >/dev/null
hoist=${HOIST:-$(swift build --show-bin-path)/hoist}
work=$(mktemp -d)
trap 'rm -rf "$work"; docker rmi -f bench-dw-base busybox:latest >/dev/null 2>&1 || true' EXIT
export HOIST_ROOT="$work/store" HOIST_BACKEND=docker
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
docker import -c 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest >/dev/null
cp -a Tests/Differential "$work/corpus"
total=0
for dir in "$work"/corpus/*/; do
  name=$(basename "$dir")
  [[ $name == fail-* ]] && continue
  (cd "$dir" && [ -f setup.sh ] && sh -eu setup.sh && rm setup.sh) || true
  args=()
  if [ -f "$dir/build-options" ]; then read -ra args < <(tr "\n" " " < "$dir/build-options") || true; fi
  [ -d "$dir/base" ] && "$hoist" build -q -t hoist-differential-base "$dir/base" >/dev/null
  start=$(date +%s.%N)
  "$hoist" build -q --no-cache "${args[@]}" -t "bench-dw-$name" "$dir" >/dev/null
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  total=$(echo "$total + $seconds" | bc)
  printf '%-26s %6.2f s\n' "$name" "$seconds"
  docker rmi -f "bench-dw-$name" hoist-differential-base >/dev/null 2>&1 || true
done
printf '%-26s %6.2f s\n' total "$total"

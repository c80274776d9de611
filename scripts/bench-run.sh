#!/usr/bin/env bash
# Times start-to-exit of `true` in a busybox container three ways and prints medians and ratios:
#   hoist  — RuncExecutor (bundle, config from RuntimeSpecBuilder, runc run, delete, cleanup)
#   runc   — a bare `runc run` of a `runc spec` bundle (the floor Hoist builds on)
#   docker — `docker run --rm --network=none` (dockerd from scripts/start-dockerd.sh)
# Needs root. Usage: scripts/bench-run.sh [RUNS]   (default 30)
set -euo pipefail
runs=${1:-30}
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "bench-run: needs root (runc)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
mkdir -p "$work/bundle/rootfs"
tar -xf "$work/rootfs.tar" -C "$work/bundle/rootfs"

now_ms() { echo $(($(date +%s%N) / 1000)); }   # microseconds, printed as ms below
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "building hoist-run-bench (debug) …" >&2
swift build --product hoist-run-bench >/dev/null
bench=$(swift build --show-bin-path)/hoist-run-bench
"$bench" "$work/bundle/rootfs" 2 >/dev/null   # warm-up
hoist_ms=$("$bench" "$work/bundle/rootfs" "$runs" | median)

(cd "$work/bundle" && runc spec && jq '.process.terminal = false | .process.args = ["true"]' config.json >c && mv c config.json)
runc_times=()
for i in $(seq 1 "$runs"); do
  start=$(now_ms)
  runc --root "$work/state" run --bundle "$work/bundle" "bench-$i" </dev/null
  runc_times+=("$(awk -v us=$(($(now_ms) - start)) 'BEGIN { printf "%.2f", us / 1000 }')")
done
runc_ms=$(printf '%s\n' "${runc_times[@]}" | median)

docker_ms=""
docker=/usr/bin/docker
if scripts/start-dockerd.sh >/dev/null 2>&1; then
  "$docker" import "$work/rootfs.tar" hoist-bench-busybox:latest >/dev/null
  "$docker" run --rm --network=none hoist-bench-busybox true   # warm-up
  docker_times=()
  for _ in $(seq 1 "$runs"); do
    start=$(now_ms)
    "$docker" run --rm --network=none hoist-bench-busybox true
    docker_times+=("$(awk -v us=$(($(now_ms) - start)) 'BEGIN { printf "%.2f", us / 1000 }')")
  done
  docker_ms=$(printf '%s\n' "${docker_times[@]}" | median)
  "$docker" rmi hoist-bench-busybox:latest >/dev/null
else
  echo "bench-run: no Docker daemon; skipping docker" >&2
fi

echo "start-to-exit of \`true\`, median of $runs runs:"
printf '  %-8s %8.2f ms\n' hoist "$hoist_ms" runc "$runc_ms"
[ -n "$docker_ms" ] && printf '  %-8s %8.2f ms\n' docker "$docker_ms"
awk -v h="$hoist_ms" -v r="$runc_ms" 'BEGIN { printf "  hoist / runc   = %.2f\n", h / r }'
[ -n "$docker_ms" ] && awk -v h="$hoist_ms" -v d="$docker_ms" 'BEGIN { printf "  hoist / docker = %.2f\n", h / d }'
exit 0

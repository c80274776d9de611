#!/usr/bin/env bash
# Times start-to-exit of `true` in a busybox container and prints medians and ratios:
#   hoist        — RuncExecutor with runc (bundle, RuntimeSpecBuilder config, run, cleanup)
#   runc         — a bare `runc run` of a `runc spec` bundle (the floor Hoist builds on)
#   hoist-crun   — RuncExecutor with crun, and
#   crun         — bare crun, both only when crun is installed (in a private mount namespace
#                  without /sys/fs/cgroup/unified on hybrid-cgroup hosts, as OCIRuntime does)
#   hoist-cli    — the `hoist run --rm busybox true` command line (release build: process start,
#                  store open, image lookup, snapshot, bundle, runtime, cleanup)
#   docker       — `docker run --rm --network=none` (dockerd from scripts/start-dockerd.sh)
#   podman       — `podman run --rm --network=none`, when podman is installed
#                  (`apt-get install podman`; not needed by anything else)
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
(cd "$work/bundle" && runc spec && jq '.process.terminal = false | .process.args = ["true"]' config.json >c && mv c config.json)

now_us() { echo $(($(date +%s%N) / 1000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# Runs "$@" RUNS times (the word RUN in it replaced by the run's number) and prints the median in ms.
time_runs() {
  local times=() start
  for i in $(seq 1 "$runs"); do
    start=$(now_us)
    "${@//RUN/$i}" </dev/null >/dev/null
    times+=("$(awk -v us=$(($(now_us) - start)) 'BEGIN { printf "%.2f", us / 1000 }')")
  done
  printf '%s\n' "${times[@]}" | median
}

echo "building hoist-run-bench (debug) …" >&2
swift build --product hoist-run-bench >/dev/null
bench=$(swift build --show-bin-path)/hoist-run-bench
"$bench" "$work/bundle/rootfs" 2 >/dev/null   # warm-up
declare -A ms
ms[hoist]=$("$bench" "$work/bundle/rootfs" "$runs" | median)
ms[runc]=$(time_runs runc --root "$work/runc-state" run --bundle "$work/bundle" bench-RUN)

if command -v crun >/dev/null; then
  ms[hoist-crun]=$("$bench" "$work/bundle/rootfs" "$runs" crun | median)
  crun_cmd=(crun)
  if grep -q ' /sys/fs/cgroup/unified .* - cgroup2 ' /proc/self/mountinfo; then
    crun_cmd=(unshare -m --propagation private /bin/sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"' crun)
  fi
  ms[crun]=$(time_runs "${crun_cmd[@]}" --root "$work/crun-state" run --bundle "$work/bundle" bench-RUN)
fi

echo "building hoist (release) …" >&2
swift build -c release --product hoist >/dev/null
hoist=$(swift build -c release --show-bin-path)/hoist
export HOIST_ROOT="$work/hoist-store"
"$hoist" import "$work/rootfs.tar" busybox >/dev/null
"$hoist" run --rm busybox true   # warm-up: unpacks the image once
ms[hoist-cli]=$(time_runs "$hoist" run --rm busybox true)

if command -v podman >/dev/null; then
  podman_cmd=(podman --root "$work/podman-root" --runroot "$work/podman-run")
  # Podman's defaults do not start here: crun refuses the hybrid cgroup layout, and its default
  # rlimits exceed this VM's hard limits; runc with the host's limits works.
  podman_run=(run --rm --network=none --runtime runc --ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
  "${podman_cmd[@]}" import "$work/rootfs.tar" localhost/hoist-bench-busybox:latest >/dev/null
  "${podman_cmd[@]}" "${podman_run[@]}" localhost/hoist-bench-busybox true   # warm-up
  ms[podman]=$(time_runs "${podman_cmd[@]}" "${podman_run[@]}" localhost/hoist-bench-busybox true)
  "${podman_cmd[@]}" system reset -f >/dev/null 2>&1 || true
  grep -o " $work/podman[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
else
  echo "bench-run: podman not installed; skipping podman" >&2
fi

docker=/usr/bin/docker
if scripts/start-dockerd.sh >/dev/null 2>&1; then
  "$docker" import "$work/rootfs.tar" hoist-bench-busybox:latest >/dev/null
  "$docker" run --rm --network=none hoist-bench-busybox true   # warm-up
  ms[docker]=$(time_runs "$docker" run --rm --network=none hoist-bench-busybox true)
  "$docker" rmi hoist-bench-busybox:latest >/dev/null
else
  echo "bench-run: no Docker daemon; skipping docker" >&2
fi

echo "start-to-exit of \`true\`, median of $runs runs:"
for name in hoist runc hoist-crun crun hoist-cli docker podman; do
  [ -n "${ms[$name]:-}" ] && printf '  %-11s %8.2f ms\n' "$name" "${ms[$name]}"
done
ratio() { [ -n "${ms[$1]:-}" ] && [ -n "${ms[$2]:-}" ] && awk -v a="${ms[$1]}" -v b="${ms[$2]}" -v l="$1 / $2" 'BEGIN { printf "  %-20s = %.2f\n", l, a / b }'; return 0; }
ratio hoist runc
ratio hoist-crun crun
ratio hoist docker
ratio hoist-crun docker
ratio hoist-cli docker
ratio hoist-cli podman
ratio hoist-cli runc

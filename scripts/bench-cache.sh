#!/usr/bin/env bash
# CI build-cache benchmark (not a test; issue 18): a "previous CI run" builds and pushes its cache
# to a docker-registry on 127.0.0.1, then a fresh store/runner whose only cache is that registry
# rebuilds. Hoist (`--cache-to type=registry,ref=R,mode=max`, then an empty store with
# `--cache-from type=registry,ref=R`) against Docker 20.10's BuildKit on the same corpus and the
# same registry. Docker 20.10 has no buildx, so BuildKit's `--cache-to type=registry` is not
# available: BuildKit uses its inline cache (`--build-arg BUILDKIT_INLINE_CACHE=1`, the image
# pushed, then `--cache-from IMAGE` on a runner whose images and build cache were removed).
# Two scenarios, side by side, medians of RUNS fresh rebuilds (the previous run is timed once):
#   layer cache  three Dockerfiles rebuilt unchanged: a multi-stage build, several RUN steps
#                writing a few MB each, a COPY-heavy context;
#   cache mount  a toy dependency cache of MOUNT_MB in a `RUN --mount=type=cache` that fills it
#                only when absent (1 MB files of random bytes through `gzip -9`: CPU work standing
#                in for a download), with a source file changed every run so the step reruns.
#                Hoist exports the mount (`mounts=true`) and restores it; BuildKit cannot carry
#                cache mounts (moby/buildkit#1512), so its fresh runner fills the mount again.
#   scripts/bench-cache.sh                          # defaults: 200 MB mount, 3 runs
#   RUNS=1 MOUNT_MB=50 scripts/bench-cache.sh       # a quick look
#   HOIST_BIN=/path/to/hoist scripts/bench-cache.sh # that hoist, not a fresh release build
# It prunes the shared daemon's build cache (`docker builder prune -af`) before each BuildKit run,
# as a fresh runner has none, and removes every image it made in the daemon on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
MOUNT_MB=${MOUNT_MB:-200}
docker=/usr/bin/docker   # Debian's Docker 20.10 (the client first on PATH is another)

scripts/install-deps.sh
scripts/start-dockerd.sh
if [[ -n ${HOIST_BIN:-} ]]; then
  hoist=$HOIST_BIN
  binary="$hoist (given by HOIST_BIN)"
else
  swift build -c release --product hoist >/dev/null
  hoist="$(swift build -c release --show-bin-path)/hoist"
  binary="$hoist (release build)"
fi

work=$(mktemp -d)
registry_pid=""
# shellcheck source=bench-registry-start.sh
source scripts/bench-registry-start.sh
registry=""
cleanup() {
  if [[ -n $registry ]]; then
    $docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^($registry/bench-cache|bench-cache)/" \
      | xargs -r $docker rmi -f >/dev/null 2>&1 || true
  fi
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A docker-registry on a free port of 127.0.0.1 (the daemon treats 127.0.0.0/8 as insecure by
# default, so it pushes and pulls there over plain HTTP as Hoist does).
start_registry
prefix=$registry/bench-cache

# The base image lives in the registry, as a CI runner's does: each fresh runner pulls it.
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
base=$prefix/base:1
HOIST_ROOT=$work/seed "$hoist" import --change 'CMD ["sh"]' "$work/rootfs.tar" "$base" >/dev/null
HOIST_ROOT=$work/seed "$hoist" push --progress quiet "$base" >/dev/null
rm -rf "$work/seed"

# Workload 1: a multi-stage build (a builder stage making files, the image copying its result).
mkdir -p "$work/multistage"
cat >"$work/multistage/Dockerfile" <<DF
FROM $base AS build
RUN mkdir /out && for i in \$(seq 1 8); do head -c 1048576 /dev/urandom > /out/part\$i; done
RUN i=0; while [ \$i -lt 200000 ]; do i=\$((i+1)); done; sha256sum /out/* > /out/sums
FROM $base AS tools
RUN head -c 3145728 /dev/urandom > /tool
FROM $base
COPY --from=build /out /app
COPY --from=tools /tool /usr/local/bin/tool
RUN wc -l /app/sums > /app/count
DF

# Workload 2: several RUN steps, each writing a few MB.
mkdir -p "$work/runs"
{ echo "FROM $base"; for i in $(seq 1 6); do echo "RUN head -c 3145728 /dev/urandom > /layer$i && sha256sum /layer$i > /layer$i.sum"; done; } \
  >"$work/runs/Dockerfile"

# Workload 3: a COPY-heavy context (2,000 files, ~20 MB), copied in two steps and read.
mkdir -p "$work/copy/src" "$work/copy/assets"
python3 - "$work/copy" <<'PY'
import os, sys, random
root = sys.argv[1]
random.seed(18)
for i in range(2000):
    part = "src" if i % 2 else "assets"
    d = os.path.join(root, part, f"d{i % 40:02d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:04d}.bin"), "wb") as f:
        f.write(random.randbytes(random.randint(2000, 18000)))
PY
cat >"$work/copy/Dockerfile" <<DF
FROM $base
COPY assets /app/assets
COPY src /app/src
RUN find /app -type f | wc -l > /app/count
DF

# The cache-mount workload: dependencies fetched into the mount only when absent.
mkdir -p "$work/mount/src"
echo 0 >"$work/mount/src/main.txt"
cat >"$work/mount/Dockerfile" <<DF
FROM $base
COPY src /src
RUN --mount=type=cache,target=/cache,id=bench-cache-deps \\
    if [ -f /cache/complete ]; then echo "dependencies: from the cache mount"; else \\
      echo "dependencies: fetching"; i=0; while [ \$i -lt $MOUNT_MB ]; do head -c 1048576 /dev/urandom | gzip -9 > /cache/dep\$i.gz; i=\$((i+1)); done; \\
      touch /cache/complete; \\
    fi; \\
    ls /cache | wc -l > /deps.count && cat /src/* > /build.out
DF

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# Runs a command, its output to $work/last.log; prints its wall time in seconds.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/last.log" 2>&1 || { echo "FAILED: $*" >&2; tail -20 "$work/last.log" >&2; return 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}
# A fresh Docker runner: none of the corpus's images (nor the base) and no build cache.
fresh_runner() {
  $docker images --format '{{.Repository}}:{{.Tag}}' | grep -E "^($prefix|bench-cache)/" | xargs -r $docker rmi -f >/dev/null 2>&1 || true
  $docker builder prune -af >/dev/null
}
bk_build() { DOCKER_BUILDKIT=1 $docker build --network=none "$@"; }
# The previous CI run, Hoist: an empty store, the build, its image and cache pushed.
hoist_export() {
  local name=$1 mounts=$2
  rm -rf "$work/store-prev"
  HOIST_ROOT=$work/store-prev "$hoist" build --progress=plain --push -t "$prefix/$name:hoist" \
    --cache-to "type=registry,ref=$prefix/$name-cache:hoist,mode=max$mounts" "$work/$name"
}
# The fresh CI run, Hoist: an empty store whose only cache is the registry.
hoist_fresh() {
  local name=$1
  rm -rf "$work/store-fresh"
  HOIST_ROOT=$work/store-fresh "$hoist" build --progress=plain -t "bench-cache/$name:fresh" \
    --cache-from "type=registry,ref=$prefix/$name-cache:hoist" "$work/$name"
}
bk_export() {
  local name=$1
  bk_build --build-arg BUILDKIT_INLINE_CACHE=1 -t "$prefix/$name:bk" "$work/$name" && $docker push "$prefix/$name:bk"
}
# How many RUN/COPY/ADD steps the last fresh run ran rather than took from the cache (progress in
# the plain form, Hoist's as BuildKit's: a step's line, then `#N CACHED` when it was a hit).
steps_run() {
  local log=$1 steps cached
  steps=$(grep -E '^#[0-9]+ \[[^]]*\] (RUN|COPY|ADD) ' "$log" | cut -d' ' -f1 | sort -u | wc -l)
  cached=$(grep -E '^#[0-9]+ CACHED' "$log" | cut -d' ' -f1 | sort -u | wc -l)
  echo "$((steps - cached))/$steps"
}
bk_fresh() {
  local name=$1
  bk_build --cache-from "$prefix/$name:bk" -t "bench-cache/$name:fresh" "$work/$name"
}

echo "hoist: $binary"
echo "BuildKit: Docker $($docker version --format '{{.Server.Version}}')'s, inline cache (BUILDKIT_INLINE_CACHE=1 + --cache-from IMAGE):"
echo "  Docker 20.10 has no buildx, so BuildKit's --cache-to type=registry (mode=max) cannot be used here"
echo "registry: docker-registry on $registry; $(nproc) cores, shared with other sessions (figures are noisy)"
echo
printf '%-12s %-11s %10s %10s %11s %10s %9s %7s %9s %9s\n' scenario workload "hoist prev" "bk prev" "hoist fresh" "bk fresh" "hoist/bk" target \
  "hoist ran" "bk ran"
declare -A sums=()
row() {
  local scenario=$1 name=$2 mounts=$3 target=$4 change=$5
  local hprev bprev h b hs=() bs=()
  fresh_runner
  hprev=$(seconds hoist_export "$name" "$mounts")
  bprev=$(seconds bk_export "$name")
  for _ in $(seq 1 "$RUNS"); do
    [[ -n $change ]] && echo "$RANDOM$RANDOM" >"$change"
    hs+=("$(seconds hoist_fresh "$name")")
    cp "$work/last.log" "$work/hoist-fresh-$name.log"
    fresh_runner
    bs+=("$(seconds bk_fresh "$name")")
    cp "$work/last.log" "$work/bk-fresh-$name.log"
  done
  h=$(printf '%s\n' "${hs[@]}" | median)
  b=$(printf '%s\n' "${bs[@]}" | median)
  sums[$scenario-hoist]=$(echo "${sums[$scenario-hoist]:-0} + $h" | bc -l)
  sums[$scenario-bk]=$(echo "${sums[$scenario-bk]:-0} + $b" | bc -l)
  printf '%-12s %-11s %9.2fs %9.2fs %10.2fs %9.2fs %9.2f %7s %9s %9s\n' "$scenario" "$name" "$hprev" "$bprev" "$h" "$b" \
    "$(echo "$h / $b" | bc -l)" "$target" "$(steps_run "$work/hoist-fresh-$name.log")" "$(steps_run "$work/bk-fresh-$name.log")"
}
for name in multistage runs copy; do row "layer cache" "$name" "" "≤ 0.5" ""; done
printf '%-12s %-11s %10s %10s %10.2fs %9.2fs %9.2f %7s\n' "layer cache" "(all three)" "" "" "${sums[layer cache-hoist]}" \
  "${sums[layer cache-bk]}" "$(echo "${sums[layer cache-hoist]} / ${sums[layer cache-bk]}" | bc -l)" "≤ 0.5"
row "cache mount" "mount" ",mounts=true" "≤ 0.3" "$work/mount/src/main.txt"
# What the last fresh run's dependency step printed (its output, not its command line).
said() { grep -v echo "$work/$1-fresh-mount.log" | grep -o 'dependencies: [a-z ]*' | head -1; }
echo
echo "(fresh: medians of $RUNS rebuilds, each in an empty Hoist store / a Docker runner with no images and"
echo " no build cache; prev: one cold build + push of image and cache, timed once. Cache mount: $MOUNT_MB MB"
echo " of dependencies, a source file changed before each fresh run; Hoist restores the mount from the"
echo " registry, BuildKit refills it. ran: steps run / RUN, COPY and ADD steps in the last fresh run's"
echo " progress. Last fresh runs said — Hoist: \"$(said hoist)\", BuildKit: \"$(said bk)\".)"
if [[ $binary == *HOIST_BIN* ]]; then
  echo "(a hoist other than the release build was timed: a debug build's figures are pessimistic for Hoist)"
fi

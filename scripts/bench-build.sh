#!/usr/bin/env bash
# Build benchmark (not a test): cold, fully cached and one-file-changed builds of three
# Dockerfiles by Hoist, Docker's BuildKit and `buildah bud --layers`, side by side, printing
# medians of RUNS runs and the ratios Hoist/peer.
#   scripts/bench-build.sh                      # defaults: 300 MB / 20,000-file context, 3 runs
#   CONTEXT_MB=30 CONTEXT_FILES=2000 RUNS=1 scripts/bench-build.sh   # a quick look
#   WORKLOADS=big SCENARIOS=cached RUNS=7 scripts/bench-build.sh     # one figure, more samples
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
CONTEXT_MB=${CONTEXT_MB:-300}
CONTEXT_FILES=${CONTEXT_FILES:-20000}
docker=/usr/bin/docker

scripts/install-deps.sh
command -v buildah >/dev/null || { apt-get install -y -qq buildah >/dev/null 2>&1 || true; }
scripts/start-dockerd.sh
swift build -c release --product hoist >/dev/null
hoist="$(swift build -c release --show-bin-path)/hoist"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOIST_ROOT="$work/hoist-store"
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
"$hoist" import --change 'CMD ["sh"]' "$work/rootfs.tar" bench-base:latest >/dev/null
$docker import -c 'CMD ["sh"]' "$work/rootfs.tar" bench-base:latest >/dev/null
have_buildah=false
if command -v buildah >/dev/null; then
  buildah --storage-driver vfs from --name bench-import scratch >/dev/null 2>&1 && \
  buildah --storage-driver vfs add bench-import "$work/rootfs.tar" / >/dev/null 2>&1 && \
  buildah --storage-driver vfs config --cmd sh bench-import >/dev/null 2>&1 && \
  buildah --storage-driver vfs commit -q bench-import localhost/bench-base:latest >/dev/null 2>&1 && have_buildah=true
  buildah --storage-driver vfs rm bench-import >/dev/null 2>&1 || true
fi

# Workload 1: a large context, copied and read.
big=$work/big
mkdir -p "$big/data"
python3 - "$big/data" "$CONTEXT_MB" "$CONTEXT_FILES" <<'PY'
import os, sys, random
root, megabytes, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(7)
per = megabytes * 1024 * 1024 // files
for i in range(files):
    d = os.path.join(root, f"d{i % 200:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}.bin"), "wb") as f:
        f.write(random.randbytes(max(1, int(per * random.uniform(0.2, 1.8)))))
PY
cat >"$big/Dockerfile" <<'DF'
FROM bench-base
COPY data /data
RUN find /data -type f | wc -l > /count
DF

# Workload 2: thirty RUN steps.
runs=$work/runs
mkdir -p "$runs"
echo 0 >"$runs/input.txt"
{ echo "FROM bench-base"; echo "COPY input.txt /input.txt"; for i in $(seq 1 30); do echo "RUN echo $i >> /steps"; done; } >"$runs/Dockerfile"

# Workload 3: two independent CPU-heavy stages.
parallel=$work/parallel
mkdir -p "$parallel"
echo 0 >"$parallel/input.txt"
cat >"$parallel/Dockerfile" <<'DF'
FROM bench-base AS left
COPY input.txt /input.txt
RUN i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done; echo $i > /left
FROM bench-base AS right
RUN i=0; while [ $i -lt 400000 ]; do i=$((i+2)); done; echo $i > /right
FROM bench-base
COPY --from=left /left /left
COPY --from=right /right /right
DF

median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }; end=$(date +%s.%N); echo "$end - $start" | bc; }

build_hoist()  { "$hoist" build --progress=plain "$@"; }
build_docker() { DOCKER_BUILDKIT=1 $docker build --network=none "$@"; }
build_buildah() { buildah --storage-driver vfs bud --layers --isolation chroot "$@"; }

printf '%-10s %-13s %10s %10s %10s %12s %12s\n' workload scenario hoist buildkit buildah hoist/bk hoist/buildah
for name in ${WORKLOADS:-big runs parallel}; do
  context=$work/$name
  changed=$context/input.txt; [ "$name" = big ] && changed=$context/data/d000/f00000.bin
  for scenario in ${SCENARIOS:-cold cached one-file}; do
    declare -A times=()
    for tool in hoist docker buildah; do
      [ "$tool" = buildah ] && ! $have_buildah && { times[$tool]=NA; continue; }
      samples=()
      for _ in $(seq 1 "$RUNS"); do
        case $scenario in
          cold) args=(--no-cache) ;;
          cached) args=() ;;
          one-file) echo "$RANDOM$RANDOM" >>"$changed"; args=() ;;
        esac
        [ "$scenario" != cold ] && "build_$tool" -t "bench-$name" "$context" >/dev/null 2>&1
        [ "$scenario" = one-file ] && echo "$RANDOM" >>"$changed"
        samples+=("$(seconds "build_$tool" "${args[@]}" -t "bench-$name" "$context")")
      done
      times[$tool]=$(printf '%s\n' "${samples[@]}" | median)
    done
    ratio() { [ "${times[$1]}" = NA ] && echo NA || echo "scale=2; ${times[hoist]} / ${times[$1]}" | bc; }
    printf '%-10s %-13s %9.3fs %9.3fs %10s %12s %12s\n' "$name" "$scenario" "${times[hoist]}" "${times[docker]}" \
      "${times[buildah]}" "$(ratio docker)" "$(ratio buildah)"
  done
done
echo "(medians of $RUNS runs; context $CONTEXT_MB MB in $CONTEXT_FILES files; buildah uses vfs storage and chroot isolation here)"

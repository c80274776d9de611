#!/usr/bin/env bash
# Pod isolation benchmark (not a test): what a build step's snapshot costs in pod isolation
# (`hoist build --isolation=pod`: one walk of the tree per step, one fstatat per file, against
# the record the step before left; only directories whose own stat moved are listed, only files
# whose stat moved are read) next to the normal mode (an overlayfs snapshot mounted for the step,
# its upper directory walked after it), on the same trees and changes, with the floor of any
# walk of the tree (find listing every directory and stating every file); then whole builds, pod
# isolation inside `docker run` (Docker's default capabilities and seccomp) and the normal mode
# on the host. Prints medians of RUNS runs.
#   scripts/bench-pod.sh                          # defaults: a 20,000-file base, 30 steps, 3 runs
#   BASE_FILES=2000 RUNS=1 scripts/bench-pod.sh   # a quick look
#   WHOLE_BUILDS=0 scripts/bench-pod.sh           # the snapshot cost only (no release hoist needed)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BASE_FILES=${BASE_FILES:-20000}
STEPS=${STEPS:-30}
WHOLE_BUILDS=${WHOLE_BUILDS:-1}
docker=/usr/bin/docker

scripts/install-deps.sh
scripts/start-dockerd.sh
swift build -c release --product hoist-bench >/dev/null
[ "$WHOLE_BUILDS" = 1 ] && swift build -c release --product hoist >/dev/null
bin="$(swift build -c release --show-bin-path)"

work=$(mktemp -d)
image=hoist-bench-pod:$$
trap '$docker rmi -f $image >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
scripts/make-busybox-rootfs.sh "$work/busybox.tar"

# A base of BASE_FILES files (a distribution's size) beside busybox's few hundred entries.
mkdir -p "$work/big-root"
tar -xf "$work/busybox.tar" -C "$work/big-root"
python3 - "$work/big-root/usr/share" "$BASE_FILES" <<'PY'
import os, sys, random
root, files = sys.argv[1], int(sys.argv[2])
random.seed(7)
for i in range(files):
    d = os.path.join(root, f"pkg{i % 400:03d}", f"sub{i % 7}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:05d}"), "wb") as f:
        f.write(random.randbytes(random.randint(100, 20000)))
PY
tar --sort=name --numeric-owner -C "$work/big-root" -cf "$work/big.tar" .
big_entries=$(tar -tf "$work/big.tar" | wc -l)
busybox_entries=$(tar -tf "$work/busybox.tar" | wc -l)

median() { sort -g | awk '{a[NR]=$1} END {printf "%.4f\n", (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { awk -v s="$1" 'BEGIN {printf "%.1f ms", s * 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1 || { echo "FAILED: $*" >&2; return 1; }; end=$(date +%s.%N); awk -v a="$end" -v b="$start" 'BEGIN {printf "%.4f\n", a - b}'; }

# CPU seconds (user and system) a command takes: on a loaded machine the elapsed time is
# mostly waiting for a core, the CPU time is the work.
cpu_seconds() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f" % (usage.ru_utime + usage.ru_stime))' "$@"
}

# The floor of any walk of the big base, on the tree as unpacked: find lists every directory and
# stats every file through directory descriptors (fts), as a pod step's walk at most does.
floor_args=("$work/big-root" -printf '%i %s %T@ %C@ %m\n')
stat_floor=$(for _ in $(seq 1 $((RUNS * 3))); do seconds find "${floor_args[@]}"; done | median)
stat_floor_cpu=$(for _ in $(seq 1 $((RUNS * 3))); do cpu_seconds find "${floor_args[@]}"; done | median)
list_floor_cpu=$(for _ in $(seq 1 $((RUNS * 3))); do cpu_seconds find "$work/big-root" -printf ''; done | median)

echo "== snapshot cost per build step (hoist-bench snapshot: prepare + diff + commit, no command) =="
echo "floor, find on the big base ($big_entries entries): listing and stating all $(ms "$stat_floor") elapsed," \
  "$(ms "$stat_floor_cpu") CPU; listing only $(ms "$list_floor_cpu") CPU"
printf '%-22s %-12s %11s %11s %11s %11s %8s %11s %11s %9s\n' base change "normal 1st" "pod 1st" "normal step" "pod step" pod/norm \
  "normal CPU" "pod CPU" "pod/floor"
# base:counts:how — "modify" rewrites files of the base spread over it, "new" writes new ones;
# one hoist-bench process per run unpacks the base once and goes through the counts in turn.
for group in busybox:1:new big:0,1,100,1000:modify; do
  IFS=: read -r base counts how <<<"$group"
  entries=$busybox_entries; [ "$base" = big ] && entries=$big_entries
  IFS=, read -r -a files_list <<<"$counts"
  declare -A first=() step=() cpu=()
  for kind in overlay inplace; do
    declare -A firsts=() steps=() cpus=()
    for _ in $(seq 1 "$RUNS"); do
      line=0
      while read -r f s _ c; do
        firsts[$line]+="$f "; steps[$line]+="$s "; cpus[$line]+="$c "
        line=$((line + 1))
      done < <("$bin/hoist-bench" snapshot $kind "$work/$base.tar" "$counts" "$STEPS" "$how")
    done
    for line in "${!files_list[@]}"; do
      first[$kind,$line]=$(printf '%s\n' ${firsts[$line]} | median)
      step[$kind,$line]=$(printf '%s\n' ${steps[$line]} | median)
      cpu[$kind,$line]=$(printf '%s\n' ${cpus[$line]} | median)
    done
    unset firsts steps cpus
  done
  for line in "${!files_list[@]}"; do
    change="${files_list[$line]} $([ "$how" = new ] && echo new || echo changed)"
    floor="-"; [ "$base" = big ] && floor=$(ratio "${cpu[inplace,$line]}" "$stat_floor_cpu")
    printf '%-22s %-12s %11s %11s %11s %11s %8s %11s %11s %9s\n' "$base ($entries entries)" "$change" \
      "$(ms "${first[overlay,$line]}")" "$(ms "${first[inplace,$line]}")" "$(ms "${step[overlay,$line]}")" \
      "$(ms "${step[inplace,$line]}")" "$(ratio "${step[inplace,$line]}" "${step[overlay,$line]}")" \
      "$(ms "${cpu[overlay,$line]}")" "$(ms "${cpu[inplace,$line]}")" "$floor"
  done
  unset first step cpu
done
echo "(1st: the first step of those changes, the first also unpacking the base; step: median elapsed time of the other $((STEPS - 1));"
echo " CPU: the same steps' median CPU time; pod/floor: pod CPU over find's on the big base; medians of $RUNS runs)"
[ "$WHOLE_BUILDS" = 1 ] || exit 0

# Whole builds: the release hoist, started in the container through its loader and libraries.
mkdir -p "$work/bundle"
for lib in $(ldd "$bin/hoist" | grep -o '/[^ ]*'); do cp -L "$lib" "$work/bundle/$(basename "$lib")"; done
cp "$bin/hoist" /bin/busybox "$work/bundle/"
$docker import -c 'CMD ["sh"]' "$work/busybox.tar" "$image" >/dev/null

mkdir -p "$work/runs" "$work/bigbase"
{ echo "FROM busybox"; for i in $(seq 1 "$STEPS"); do echo "RUN echo $i >> /steps"; done; } >"$work/runs/Dockerfile"
{ echo "FROM big"; for i in $(seq 1 "$STEPS"); do echo "RUN echo $i >> /steps"; done; } >"$work/bigbase/Dockerfile"

# The normal mode on the host, pod isolation in a container; each timed inside, cold (--no-cache).
normal_store=$work/normal-store
pod_store=$work/pod-store
for store in "$normal_store" "$pod_store"; do
  HOIST_ROOT=$store "$bin/hoist" import --change 'CMD ["sh"]' "$work/busybox.tar" busybox >/dev/null
  HOIST_ROOT=$store "$bin/hoist" import --change 'CMD ["sh"]' "$work/big.tar" big >/dev/null
done
pod_build() {
  $docker run --rm --network=none -v "$work/bundle:/hoist:ro" -v "$work:/work:ro" -v "$pod_store:/store" -e HOIST_ROOT=/store "$image" \
    /hoist/busybox sh -c 'start=$(date +%s%N); /hoist/ld-linux-x86-64.so.2 --library-path /hoist /hoist/hoist build --isolation=pod --no-cache -t bench "$0" >/dev/null 2>&1 || exit 1; echo "$(( $(date +%s%N) - start ))"' "$1" \
    | awk '{printf "%.4f\n", $1 / 1e9}'
}

echo
echo "== whole builds, $STEPS RUN steps, cold =="
printf '%-30s %12s %12s %8s\n' workload normal pod pod/norm
for workload in runs bigbase; do
  normals=(); pods=()
  for _ in $(seq 1 "$RUNS"); do
    normals+=("$(HOIST_ROOT=$normal_store seconds "$bin/hoist" build --no-cache -t bench "$work/$workload")")
    pods+=("$(pod_build "/work/$workload")")
  done
  normal=$(printf '%s\n' "${normals[@]}" | median)
  pod=$(printf '%s\n' "${pods[@]}" | median)
  label="FROM busybox ($busybox_entries entries)"; [ $workload = bigbase ] && label="FROM big ($big_entries entries)"
  printf '%-30s %11.3fs %11.3fs %8s\n' "$label" "$normal" "$pod" "$(ratio "$pod" "$normal")"
done
echo "(normal: runc per step on overlay snapshots, on the host; pod: inside docker run, timed inside; medians of $RUNS runs)"

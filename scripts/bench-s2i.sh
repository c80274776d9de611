#!/usr/bin/env bash
# S2I benchmark (not a test): `hoist s2i build` of one source, full against `--incremental`,
# printing medians of RUNS runs and the ratios. The builder's assemble makes its dependencies
# (DEPS_FILES files of 1 MB, gzip -9 of random bytes: CPU work standing in for a download and
# a compile) unless save-artifacts brought them from the previous image; every run changes a
# source file, so no build is served whole from Hoist's cache.
#   scripts/bench-s2i.sh                       # defaults: 40 dependency files, 3 runs
#   DEPS_FILES=10 RUNS=1 scripts/bench-s2i.sh  # a quick look
#   BACKENDS="native docker" scripts/bench-s2i.sh
#   HOIST=/path/to/hoist scripts/bench-s2i.sh   # that hoist, not a fresh release build
# On the native backend it also times what S2I does on a machine without the previous image
# (openshift/origin#12703): pull it from a registry (docker-registry on 127.0.0.1), then build.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DEPS_FILES=${DEPS_FILES:-40}
BACKENDS=${BACKENDS:-native}

scripts/install-deps.sh
[[ " $BACKENDS " == *" docker "* ]] && scripts/start-dockerd.sh
if [[ -n ${HOIST:-} ]]; then
  hoist=$HOIST
else
  swift build -c release --product hoist >/dev/null
  hoist="$(swift build -c release --show-bin-path)/hoist"
fi

work=$(mktemp -d)
registry_pid=""
# shellcheck source=bench-registry-start.sh
source scripts/bench-registry-start.sh
cleanup() {
  if [[ " $BACKENDS " == *" docker "* ]]; then
    /usr/bin/docker rmi -f bench-s2i/busybox bench-s2i/builder bench-s2i/app >/dev/null 2>&1 || true
  fi
  if [[ -n $registry_pid ]]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export HOIST_ROOT="$work/hoist-store"
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
"$hoist" import --change 'CMD ["sh"]' "$work/rootfs.tar" bench-s2i/busybox:latest >/dev/null
if [[ " $BACKENDS " == *" docker "* ]]; then
  /usr/bin/docker import -c 'CMD ["sh"]' "$work/rootfs.tar" bench-s2i/busybox:latest >/dev/null
fi

# The builder: scripts in the image, as S2I's builders have them.
builder=$work/builder
mkdir -p "$builder"
cat >"$builder/assemble" <<SH
#!/bin/sh
set -e
mkdir -p /opt/app
if [ -d /tmp/artifacts/deps ]; then
  echo "restoring dependencies"; mv /tmp/artifacts/deps /opt/app/deps
else
  echo "making dependencies"; mkdir -p /opt/app/deps
  i=0; while [ \$i -lt $DEPS_FILES ]; do head -c 1048576 /dev/urandom | gzip -9 > /opt/app/deps/dep\$i.gz; i=\$((i + 1)); done
fi
cp -R /tmp/src/. /opt/app/
SH
cat >"$builder/save-artifacts" <<'SH'
#!/bin/sh
cd /opt/app && tar cf - deps
SH
printf '#!/bin/sh\nls /opt/app\n' >"$builder/run"
cat >"$builder/Dockerfile" <<'DF'
FROM bench-s2i/busybox
COPY assemble save-artifacts run /usr/libexec/s2i/
RUN chmod 755 /usr/libexec/s2i/*
LABEL io.openshift.s2i.scripts-url=image:///usr/libexec/s2i
DF
source=$work/app
mkdir -p "$source"
for i in $(seq 1 50); do echo "source file $i" >"$source/file$i.txt"; done

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
now() { date +%s.%N; }
# Times one build of TAG after changing the source; `before` runs first, untimed.
timed() {
  local backend=$1 before=$2 tag=$3; shift 3
  echo "changed $(now)" >"$source/CHANGES"
  eval "$before"
  local start; start=$(now)
  "$hoist" s2i build --backend "$backend" -q "$@" "$source" bench-s2i/builder "$tag" >/dev/null
  echo "$(now) - $start" | bc -l
}


printf '%-10s %-34s %10s\n' backend "build ($DEPS_FILES MB of dependencies)" "median s"
for backend in $BACKENDS; do
  "$hoist" build --backend "$backend" -q -t bench-s2i/builder "$builder" >/dev/null
  "$hoist" s2i build --backend "$backend" -q "$source" bench-s2i/builder bench-s2i/app >/dev/null
  full=$(for _ in $(seq "$RUNS"); do timed "$backend" : bench-s2i/app; done | median)
  store=$(for _ in $(seq "$RUNS"); do timed "$backend" : bench-s2i/app --incremental; done | median)
  # With the previous image gone, the last incremental build's artifacts come from the cache mount.
  cache="" pulled=""
  if [[ $backend == native ]]; then
    cache=$(for _ in $(seq "$RUNS"); do timed "$backend" '"$hoist" rmi bench-s2i/app >/dev/null' bench-s2i/app --incremental; done | median)
    # S2I's way: the previous image is pushed, removed here, and pulled back for its artifacts
    # (--incremental-pull-policy always, so the cache mount is not what serves them).
    start_registry
    remote=$registry/bench-s2i/app:1
    "$hoist" s2i build -q "$source" bench-s2i/builder "$remote" >/dev/null
    pulled=$(for _ in $(seq "$RUNS"); do
      timed "$backend" '"$hoist" push --progress quiet "$remote" >/dev/null && "$hoist" rmi "$remote" >/dev/null' "$remote" \
        --incremental --incremental-pull-policy always
    done | median)
  fi
  ratio() { echo "$1 / $full" | bc -l; }
  printf '%-10s %-34s %10.2f\n' "$backend" "full (clean) build" "$full"
  printf '%-10s %-34s %10.2f   %.2f of full\n' "$backend" "--incremental, previous image here" "$store" "$(ratio "$store")"
  if [[ -n $cache ]]; then
    printf '%-10s %-34s %10.2f   %.2f of full\n' "$backend" "--incremental, from the cache mount" "$cache" "$(ratio "$cache")"
    printf '%-10s %-34s %10.2f   %.2f of full\n' "$backend" "--incremental, pulled (S2I's way)" "$pulled" "$(ratio "$pulled")"
  fi
done

#!/usr/bin/env bash
# S2I benchmark (not a test): `hoist s2i build` of one source, full against `--incremental`,
# printing medians of RUNS runs and the ratios. The builder's assemble makes its dependencies
# (DEPS_FILES files of 1 MB, gzip -9 of random bytes: CPU work standing in for a download and
# a compile) unless save-artifacts brought them from the previous image; every run changes a
# source file, so no build is served whole from Hoist's cache.
#   scripts/bench-s2i.sh                       # defaults: 40 dependency files, 3 runs
#   DEPS_FILES=10 RUNS=1 scripts/bench-s2i.sh  # a quick look
#   BACKENDS="native docker" scripts/bench-s2i.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DEPS_FILES=${DEPS_FILES:-40}
BACKENDS=${BACKENDS:-native}

scripts/install-deps.sh
[[ " $BACKENDS " == *" docker "* ]] && scripts/start-dockerd.sh
swift build -c release --product hoist >/dev/null
hoist="$(swift build -c release --show-bin-path)/hoist"

work=$(mktemp -d)
cleanup() {
  if [[ " $BACKENDS " == *" docker "* ]]; then
    /usr/bin/docker rmi -f bench-s2i/busybox bench-s2i/builder bench-s2i/app >/dev/null 2>&1 || true
  fi
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
# Times one build after changing the source; `before` runs first, untimed.
timed() {
  local backend=$1 before=$2; shift 2
  echo "changed $(now)" >"$source/CHANGES"
  eval "$before"
  local start; start=$(now)
  "$hoist" --backend "$backend" s2i build -q "$@" "$source" bench-s2i/builder bench-s2i/app >/dev/null
  echo "$(now) - $start" | bc -l
}

printf '%-10s %-34s %10s\n' backend "build ($DEPS_FILES MB of dependencies)" "median s"
for backend in $BACKENDS; do
  "$hoist" --backend "$backend" build -q -t bench-s2i/builder "$builder" >/dev/null
  "$hoist" --backend "$backend" s2i build -q "$source" bench-s2i/builder bench-s2i/app >/dev/null
  full=$(for _ in $(seq "$RUNS"); do timed "$backend" : ; done | median)
  store=$(for _ in $(seq "$RUNS"); do timed "$backend" : --incremental; done | median)
  # With the previous image gone, the last incremental build's artifacts come from the cache mount.
  cache=""
  if [[ $backend == native ]]; then
    cache=$(for _ in $(seq "$RUNS"); do timed "$backend" '"$hoist" rmi bench-s2i/app >/dev/null' --incremental; done | median)
  fi
  printf '%-10s %-34s %10.2f\n' "$backend" "full (clean) build" "$full"
  printf '%-10s %-34s %10.2f   %.2f of full\n' "$backend" "--incremental, previous image here" "$store" "$(echo "$store / $full" | bc -l)"
  if [[ -n $cache ]]; then
    printf '%-10s %-34s %10.2f   %.2f of full\n' "$backend" "--incremental, from the cache mount" "$cache" "$(echo "$cache / $full" | bc -l)"
  fi
done

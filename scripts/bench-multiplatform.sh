#!/usr/bin/env bash
# Multi-platform build benchmark (not a test; issue 20): one `hoist build --platform
# linux/amd64,linux/arm64` against the same two platforms built one after the other, each run
# with --no-cache, medians of RUNS runs (hyperfine). The Dockerfile has a build-platform stage
# (shared by the two-platform build, run twice by the sequential builds) and per-platform RUN
# steps (arm64's through QEMU). Needs root: it registers qemu-user-static's aarch64 handler in
# binfmt_misc when none is there, and removes it (and unmounts binfmt_misc) on exit.
#   scripts/bench-multiplatform.sh          # RUNS=3 by default
#   HOIST=.build/debug/hoist RUNS=1 scripts/bench-multiplatform.sh   # another binary, a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
[ "$(id -u)" -eq 0 ] || { echo "bench-multiplatform: needs root (binfmt_misc)" >&2; exit 1; }
[ "$(dpkg --print-architecture)" = amd64 ] || { echo "bench-multiplatform: written for an amd64 host" >&2; exit 1; }

scripts/install-deps.sh
if [ -n "${HOIST:-}" ]; then
  hoist=$HOIST
else
  swift build -c release --product hoist >/dev/null
  hoist="$(swift build -c release --show-bin-path)/hoist"
fi

work=$(mktemp -d)
binfmt=/proc/sys/fs/binfmt_misc
mounted=false registered=false
cleanup() {
  if $registered; then echo -1 >"$binfmt/qemu-aarch64" || true; fi
  if $mounted; then umount "$binfmt" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ ! -e "$binfmt/register" ]; then mount -t binfmt_misc binfmt_misc "$binfmt"; mounted=true; fi
if [ ! -e "$binfmt/qemu-aarch64" ]; then
  printf '%s' ':qemu-aarch64:M:0:\x7f\x45\x4c\x46\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF' >"$binfmt/register"
  registered=true
fi

export HOIST_ROOT="$work/store"
# The base: a two-platform busybox index, made by hoist itself from the two root filesystems.
base=$work/base
mkdir -p "$base"
scripts/make-busybox-rootfs.sh "$base/rootfs-amd64.tar"
scripts/make-busybox-rootfs.sh "$base/rootfs-arm64.tar" arm64
printf 'FROM scratch\nARG TARGETARCH\nADD rootfs-${TARGETARCH}.tar /\nCMD ["sh"]\n' >"$base/Dockerfile"
"$hoist" build -q --platform linux/amd64,linux/arm64 -t bench-base:latest "$base" >/dev/null

# The build: a build-platform stage making files, and each platform's own steps.
context=$work/context
mkdir -p "$context"
cat >"$context/Dockerfile" <<'DF'
FROM --platform=$BUILDPLATFORM bench-base AS generate
RUN for i in $(seq 1 20000); do echo "line $i"; done > /generated && sha256sum /generated > /generated.sum
FROM bench-base
COPY --from=generate /generated /generated.sum /
RUN uname -m > /arch && sha256sum /generated > /check && for i in $(seq 1 300); do echo $i; done | sort -n | tail -n 1 > /last
RUN wc -l /generated > /lines
DF

build="$hoist build -q --no-cache --pull-policy never"
hyperfine --runs "$RUNS" --warmup 1 --export-markdown "$work/result.md" \
  -n "two platforms, one build" "$build --platform linux/amd64,linux/arm64 -t bench:multi $context" \
  -n "one platform after the other" "$build --platform linux/amd64 -t bench:amd64 $context && $build --platform linux/arm64 -t bench:arm64 $context"
cat "$work/result.md"

#!/usr/bin/env bash
# How Hoist's everyday commands grow with the store: `images`, `images -q`, `ps -a`, `inspect`
# and a fully cached build, timed (median of 5) on a store holding 2 images, then N/10, then N
# distinct images (each a one-file import with a label of its own) and N/50 kept containers.
# Usage: scripts/bench-scale.sh [N] [WORK_DIR]   (defaults: 10000, a fresh temp dir)
# HOIST_BIN=path uses that hoist instead of building the release one (e.g. a debug build for a
# quick try; its figures are not the release's).
set -euo pipefail

count=${1:-10000}
work=${2:-$(mktemp -d /tmp/hoist-scale.XXXXXX)}
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${HOIST_BIN:-}" ]; then
    echo "building hoist (release)…" >&2
    (cd "$root" && swift build -c release --product hoist >&2)
    HOIST_BIN="$root/.build/release/hoist"
fi
store="$work/store"
hoist() { "$HOIST_BIN" --root "$store" "$@"; }
trap 'hoist rm -f $(hoist ps -aq 2>/dev/null) >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

mkdir -p "$work/rootfs/bin" "$work/context"
"$root/scripts/make-busybox-rootfs.sh" "$work/busybox.tar" >/dev/null
hoist import "$work/busybox.tar" busybox >/dev/null
echo scale > "$work/rootfs/file"
tar -C "$work/rootfs" -cf "$work/tiny.tar" .
printf 'FROM busybox\nRUN echo built > /built\nCOPY . /context\n' > "$work/context/Dockerfile"
hoist build -q -t cached "$work/context" >/dev/null
made=0
containers=0

# Adds images (and one kept container per 50 images) until the store holds `$1` images.
grow() {
    while [ "$made" -lt "$1" ]; do
        hoist import --change "LABEL n=$made" "$work/tiny.tar" "scale/img:$made" >/dev/null
        made=$((made + 1))
        if [ $((made % 50)) -eq 0 ]; then
            hoist create --name "kept-$containers" busybox true >/dev/null
            containers=$((containers + 1))
        fi
    done
}

# Median wall time of 5 runs of a hoist command, in milliseconds.
median_ms() {
    local times=()
    for _ in 1 2 3 4 5; do
        local start end
        start=$(date +%s%N)
        hoist "$@" >/dev/null
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

printf '%-10s %-11s %8s %12s %8s %10s %14s\n' images containers "images" "images -q" "ps -a" inspect "cached build"
for target in 0 $((count / 10)) "$count"; do
    grow "$target"
    printf '%-10s %-11s %6sms %10sms %6sms %8sms %12sms\n' "$((made + 2))" "$containers" \
        "$(median_ms images)" "$(median_ms images -q)" "$(median_ms ps -a)" "$(median_ms inspect busybox)" \
        "$(median_ms build -q -t cached "$work/context")"
done

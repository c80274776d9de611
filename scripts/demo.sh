#!/usr/bin/env bash
# The main job on a fresh machine, offline: build hoist, make a busybox base image from
# Debian's busybox-static, and show it, save it and load it back.
# (Dockerfile builds and `hoist run` join this script as they land.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build -c release --product hoist
hoist="$(swift build -c release --show-bin-path)/hoist"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOIST_ROOT="${HOIST_ROOT:-$work/store}"

echo "== hoist $("$hoist" --version), store at $HOIST_ROOT"
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
"$hoist" import --change 'CMD ["sh"]' --change 'ENV HELLO=world' "$work/rootfs.tar" busybox:latest
"$hoist" images
"$hoist" inspect busybox | head -40
"$hoist" save -o "$work/busybox.tar" busybox
"$hoist" save --format oci -o "$work/busybox-oci.tar" busybox
echo "== a second store loads both archives"
HOIST_ROOT="$work/second" "$hoist" load -i "$work/busybox.tar"
HOIST_ROOT="$work/second" "$hoist" load -i "$work/busybox-oci.tar"
HOIST_ROOT="$work/second" "$hoist" images

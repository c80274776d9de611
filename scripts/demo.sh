#!/usr/bin/env bash
# The main job on a fresh machine, offline: build hoist, make a busybox base image from
# Debian's busybox-static, build examples/hello on it with `hoist build`, and run it.
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
"$hoist" import --change 'CMD ["sh"]' "$work/rootfs.tar" busybox:latest

echo "== build examples/hello"
"$hoist" build --progress=plain -t hello:latest examples/hello
echo "== rebuild: every step comes from the cache"
"$hoist" build --progress=plain -t hello:latest examples/hello
"$hoist" images

echo "== run it"
"$hoist" run --rm hello:latest

echo "== save it for docker load, and as an OCI layout"
"$hoist" save -o "$work/hello.tar" hello:latest
"$hoist" save --format oci -o "$work/hello-oci.tar" hello:latest
ls -l "$work"/hello*.tar

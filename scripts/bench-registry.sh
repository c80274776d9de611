#!/usr/bin/env bash
# Pull and push of a 300 MB, 5-layer image through local docker-registry instances, by Hoist
# and by `skopeo copy`, side by side: seconds, MB/s, and Hoist's speed over skopeo's.
#
#   scripts/bench-registry.sh              # builds and uses the debug hoist
#   scripts/bench-registry.sh -c release   # builds and uses an optimised hoist
#   HOIST=/path/to/hoist BENCH_LAYER_MB=60 BENCH_ROUNDS=3 scripts/bench-registry.sh
#
# The layers are random bytes (incompressible) marked as uncompressed tar, so neither tool
# spends time compressing; skopeo runs with --preserve-digests for the same reason.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
configuration=""
while [ $# -gt 0 ]; do
    case "$1" in
        -c) configuration="$2"; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
if [ -n "$configuration" ]; then
    swift build -c "$configuration" --product hoist >&2
    hoist=${HOIST:-$root/.build/$configuration/hoist}
elif [ -n "${HOIST:-}" ]; then
    hoist=$HOIST
else
    swift build --product hoist >&2
    hoist=$root/.build/debug/hoist
fi
layer_mb=${BENCH_LAYER_MB:-60}
layers=5
rounds=${BENCH_ROUNDS:-3}

work=$(mktemp -d "${TMPDIR:-/tmp}/hoist-bench-registry.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_registry NAME: a registry on a free port with storage $work/NAME; sets $registry_host.
start_registry() {
    local name=$1 port
    port=$(free_port)
    mkdir -p "$work/$name"
    cat >"$work/$name.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/$name
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: bench
YAML
    docker-registry serve "$work/$name.yml" >"$work/$name.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then registry_host=127.0.0.1:$port; return; fi
        sleep 0.1
    done
    echo "registry $name did not start:" >&2; cat "$work/$name.log" >&2; exit 1
}

# The image, as an OCI layout: five random layers, a config, a manifest.
layout=$work/layout
mkdir -p "$layout/blobs/sha256"
diff_ids=() layer_json=()
for i in $(seq 1 $layers); do
    head -c "$((layer_mb * 1000 * 1000))" /dev/urandom >"$work/layer"
    digest=$(sha256sum "$work/layer" | cut -d' ' -f1)
    mv "$work/layer" "$layout/blobs/sha256/$digest"
    diff_ids+=("\"sha256:$digest\"")
    layer_json+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$digest\",\"size\":$((layer_mb * 1000 * 1000))}")
done
join() { local IFS=,; echo "$*"; }
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]}}' "$(join "${diff_ids[@]}")" >"$work/config"
config_digest=$(sha256sum "$work/config" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config")
mv "$work/config" "$layout/blobs/sha256/$config_digest"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$config_digest" "$config_size" "$(join "${layer_json[@]}")" >"$work/manifest"
manifest_digest=$(sha256sum "$work/manifest" | cut -d' ' -f1)
manifest_size=$(stat -c %s "$work/manifest")
mv "$work/manifest" "$layout/blobs/sha256/$manifest_digest"
echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
    "$manifest_digest" "$manifest_size" >"$layout/index.json"
total_mb=$((layers * layer_mb))

start_registry source
source_registry=$registry_host
skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$layout:bench" "docker://$source_registry/bench/image:1" >/dev/null

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# Each round: fresh destinations, so nothing is skipped as present.
declare -A best
record() {  # record KEY SECONDS: keeps the fastest round
    if [ -z "${best[$1]:-}" ] || awk -v a="$2" -v b="${best[$1]}" 'BEGIN { exit !(a < b) }'; then best[$1]=$2; fi
}
for round in $(seq 1 "$rounds"); do
    rm -rf "$work/store" "$work/skopeo-pulled"
    t0=$(now); HOIST_ROOT=$work/store "$hoist" pull --progress quiet "$source_registry/bench/image:1" >/dev/null; t1=$(now)
    record hoist-pull "$(seconds "$t0" "$t1")"
    t0=$(now)
    skopeo copy -q --preserve-digests --dest-oci-accept-uncompressed-layers --src-tls-verify=false \
        "docker://$source_registry/bench/image:1" "oci:$work/skopeo-pulled:bench" >/dev/null
    t1=$(now)
    record skopeo-pull "$(seconds "$t0" "$t1")"

    start_registry "target-$round"
    target=$registry_host
    t0=$(now); HOIST_ROOT=$work/store "$hoist" push --progress quiet "$source_registry/bench/image:1" "$target/hoist/image:1" >/dev/null; t1=$(now)
    record hoist-push "$(seconds "$t0" "$t1")"
    t0=$(now)
    skopeo copy -q --preserve-digests --dest-tls-verify=false "oci:$work/skopeo-pulled:bench" "docker://$target/skopeo/image:1" >/dev/null
    t1=$(now)
    record skopeo-push "$(seconds "$t0" "$t1")"
    last=$((${#pids[@]} - 1))
    kill -KILL "${pids[$last]}"; wait "${pids[$last]}" 2>/dev/null || true; unset "pids[$last]"
    rm -rf "$work/target-$round"
done

echo "Registry benchmark: ${total_mb} MB in $layers layers, best of $rounds rounds, hoist = $hoist"
printf '%-6s %12s %10s %12s %10s %8s\n' "" "hoist s" "hoist MB/s" "skopeo s" "skopeo MB/s" "ratio"
for op in pull push; do
    h=${best[hoist-$op]} s=${best[skopeo-$op]}
    awk -v op="$op" -v h="$h" -v s="$s" -v mb="$total_mb" \
        'BEGIN { printf "%-6s %12.2f %10.1f %12.2f %10.1f %7.2fx\n", op, h, mb / h, s, mb / s, s / h }'
done
echo "(ratio = Hoist's speed over skopeo's; above 1 means Hoist is faster)"

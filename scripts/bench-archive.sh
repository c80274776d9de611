#!/usr/bin/env bash
# Benchmarks HoistArchive against the standard tools on the same data:
#   tar + sha256   hoist-bench tar DIR          vs  tar -c DIR | sha256sum
#   gzip -6        hoist-bench gzip TAR         vs  gzip -6 -c TAR
#   zstd -3        hoist-bench zstd TAR         vs  zstd -3 -T1 -c TAR
#   apply          hoist-bench apply TAR DIR    vs  tar -x -f TAR -C DIR
# Hoist's compressors also hash input and output (both digests in one pass); the tools do not.
# Usage: scripts/bench-archive.sh [SIZE_MB] [WORK_DIR]   (defaults: 300, a fresh temp dir)
set -euo pipefail

size_mb=${1:-300}
work=${2:-$(mktemp -d /tmp/hoist-bench.XXXXXX)}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$work"
trap 'rm -rf "$work/tree" "$work/tree.tar" "$work/extract-hoist" "$work/extract-tar"' EXIT

echo "building hoist-bench (release)…" >&2
(cd "$root" && swift build -c release --product hoist-bench >&2)
bench="$root/.build/release/hoist-bench"

echo "generating a ${size_mb} MB tree in $work/tree…" >&2
# Deterministic: a fixed seed; sizes from 100 bytes to 4 MiB; half text-like (compressible),
# half random bytes; nested directories.
python3 - "$work/tree" "$size_mb" <<'PY'
import os, random, sys
root, target = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rng = random.Random(20240601)
words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(4000)]
total = 0
index = 0
while total < target:
    size = int(min(4 << 20, 100 * (1.9 ** rng.uniform(0, 16))))
    directory = os.path.join(root, "d%02d" % (index % 37), "s%02d" % (index % 11))
    os.makedirs(directory, exist_ok=True)
    if index % 2:
        data = rng.randbytes(size)
    else:
        chunks, length = [], 0
        while length < size:
            word = rng.choice(words)
            chunks.append(word)
            length += len(word) + 1
        data = b" ".join(chunks)[:size]
    with open(os.path.join(directory, "f%06d.bin" % index), "wb") as f:
        f.write(data)
    total += size
    index += 1
print(f"{index} files, {total / 1e6:.0f} MB", file=sys.stderr)
PY
tar --sort=name -C "$work/tree" -cf "$work/tree.tar" .
tar_bytes=$(stat -c %s "$work/tree.tar")
sync

now() { date +%s.%N; }
# Times a shell command, printing the elapsed seconds.
timed() {
    local start end
    start=$(now)
    bash -c "$1" >/dev/null
    end=$(now)
    echo "$end - $start" | bc -l
}
# Runs hoist-bench, printing the seconds it measured (second field of its output).
hoist() { "$bench" "$@" | awk '{print $2}'; }
mbps() { echo "scale=1; $tar_bytes / 1048576 / $1" | bc -l; }

rows=()
add_row() { # name hoist_seconds tool_seconds
    rows+=("$(printf '%-14s %10s %10s %8s' "$1" "$(mbps "$2")" "$(mbps "$3")" "$(echo "scale=2; $3 / $2" | bc -l)")")
}

# Warm the page cache so both sides read from memory.
cat "$work/tree.tar" >/dev/null
tar -C "$work/tree" -cf - . >/dev/null

add_row "tar + sha256" "$(hoist tar "$work/tree")" "$(timed "tar --sort=name -C '$work/tree' -cf - . | sha256sum")"
cores=$(nproc)
gzip_seconds=$(timed "gzip -6 -c '$work/tree.tar'")
add_row "gzip -6" "$(hoist gzip "$work/tree.tar" 1)" "$gzip_seconds"
# On every core against single-threaded gzip: the speed-up at the same level (same bytes for any thread count).
add_row "gzip -6 ×$cores" "$(hoist gzip "$work/tree.tar")" "$gzip_seconds"
if command -v pigz >/dev/null; then
    add_row "… vs pigz" "$(hoist gzip "$work/tree.tar")" "$(timed "pigz -6 -c '$work/tree.tar'")"
fi
add_row "zstd -3" "$(hoist zstd "$work/tree.tar" 1)" "$(timed "zstd -q -3 -T1 -c '$work/tree.tar'")"
add_row "zstd -3 ×$cores" "$(hoist zstd "$work/tree.tar")" "$(timed "zstd -q -3 -T0 -c '$work/tree.tar'")"
gzip_ratio=$(echo "scale=4; $(gzip -6 -c "$work/tree.tar" | wc -c) / $tar_bytes" | bc -l)
echo "compressed/plain: gzip -6 $gzip_ratio" >&2
rm -rf "$work/extract-hoist" "$work/extract-tar"; mkdir -p "$work/extract-hoist" "$work/extract-tar"
add_row "apply / untar" "$(hoist apply "$work/tree.tar" "$work/extract-hoist")" "$(timed "tar -xf '$work/tree.tar' -C '$work/extract-tar'")"

echo
echo "data: $(echo "scale=1; $tar_bytes / 1048576" | bc -l) MiB of tar"
printf '%-14s %10s %10s %8s\n' "operation" "hoist MB/s" "tool MB/s" "ratio"
for row in "${rows[@]}"; do echo "$row"; done
echo "(ratio = hoist speed / tool speed; above 1 means Hoist is faster)"

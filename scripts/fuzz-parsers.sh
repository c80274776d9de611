#!/usr/bin/env bash
# Fuzzes Hoist's parsers of untrusted input (Sources/hoist-fuzz: Dockerfile, word expansion,
# .dockerignore, tar, layer apply, gzip/zstd, manifests/configs, references, WWW-Authenticate)
# for a bounded time each, from seeds read in place (the repository's and ../shared/conformance's
# Dockerfiles, OCI examples, Tests/FuzzCorpus) plus archives made here. Prints executions and
# crashes per target; exits 1 on a crash, keeping the input under .build-fuzz/crashes.
#   usage: scripts/fuzz-parsers.sh [SECONDS_PER_TARGET] [TARGET…]
# HOIST_FUZZ_ENGINE=libfuzzer (default) builds the targets with swiftc's -sanitize=fuzzer in
# .build-fuzz (a build of its own, instrumented); HOIST_FUZZ_ENGINE=random runs the random
# driver of the debug build instead (mutation without coverage feedback).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(dockerfile expansion dockerignore tar layer decompress manifest reference www-authenticate)
engine=${HOIST_FUZZ_ENGINE:-libfuzzer}
conformance=$(cd .. && pwd)/shared/conformance

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p .build-fuzz/crashes

# Seeds: one directory per target.
seeds() {
  local target=$1 dir=$work/seeds-$1
  mkdir -p "$dir"
  case $target in
    dockerfile|expansion)
      local n=0
      for file in Tests/Differential/*/Dockerfile "$conformance"/buildkit-dockerfile/cases/*/Dockerfile; do
        [ -f "$file" ] && cp "$file" "$dir/$((n++))"
      done ;;
    dockerignore)
      cp Tests/FuzzCorpus/dockerignore/* "$dir/"
      local n=0
      for file in Tests/Differential/*/.dockerignore "$conformance"/buildkit-dockerfile/cases/*/context/.dockerignore; do
        [ -f "$file" ] && { cat "$file"; printf '\nsub/x.txt'; } >"$dir/case-$((n++))"
      done ;;
    tar|layer|decompress)
      local tree=$work/tree
      rm -rf "$tree" && mkdir -p "$tree/d/e" && echo a >"$tree/d/a" && ln "$tree/d/a" "$tree/d/h" && ln -s a "$tree/d/l"
      echo long >"$tree/d/e/$(printf 'n%.0s' $(seq 1 120))" && mkdir -p "$tree/d/.wh..wh..opq" 2>/dev/null || true
      tar --format=gnu -C "$tree" -cf "$dir/gnu.tar" d
      tar --format=pax -C "$tree" -cf "$dir/pax.tar" d
      tar --format=ustar -C "$tree" -cf "$dir/ustar.tar" d/a d/l 2>/dev/null || true
      gzip -c "$dir/pax.tar" >"$dir/pax.tar.gz"
      zstd -q -c "$dir/gnu.tar" >"$dir/gnu.tar.zst" ;;
    manifest)
      find "$conformance/oci-image-spec/examples" "$conformance/oci-image-spec/vectors" -name '*.json' 2>/dev/null | head -200 |
        while read -r file; do cp "$file" "$dir/$(echo "$file" | md5sum | cut -c1-12).json"; done ;;
    reference) cp Tests/FuzzCorpus/reference/* "$dir/" ;;
    www-authenticate) cp Tests/FuzzCorpus/www-authenticate/* "$dir/" ;;
    *) echo "fuzz-parsers: unknown target $target" >&2; exit 2 ;;
  esac
  echo "$dir"
}

if [ "$engine" = libfuzzer ]; then
  echo "fuzz-parsers: building hoist-fuzz with -sanitize=fuzzer in .build-fuzz"
  swift build --scratch-path .build-fuzz --product hoist-fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -DHOIST_LIBFUZZER >"$work/build.log" 2>&1 ||
    { tail -40 "$work/build.log" >&2; exit 1; }
  binary=.build-fuzz/debug/hoist-fuzz
else
  swift build --product hoist-fuzz >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; exit 1; }
  binary=.build/debug/hoist-fuzz
fi

status=0
total=0
for target in "${targets[@]}"; do
  seed_dir=$(seeds "$target")
  log=$work/$target.log
  if [ "$engine" = libfuzzer ]; then
    mkdir -p "$work/corpus-$target"
    # -rss_limit_mb: a parser that balloons on a small input is a finding too.
    if HOIST_FUZZ_TARGET=$target "$binary" "$work/corpus-$target" "$seed_dir" -max_total_time="$seconds" -max_len=65536 \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 -artifact_prefix=".build-fuzz/crashes/$target-" >"$log" 2>&1; then
      runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
      edges=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
      echo "libFuzzer $target: ${runs:-?} executions in ${seconds} s, coverage ${edges:-?} edges, 0 crashes"
      total=$((total + ${runs:-0}))
    else
      status=1
      echo "libFuzzer $target: CRASH (input kept under .build-fuzz/crashes/$target-*):"
      grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -10
    fi
  else
    if "$binary" "$target" -max_total_time="$seconds" "$seed_dir" >"$log" 2>&1; then
      cat "$log"
      total=$((total + $(sed -n 's/.*: \([0-9]*\) executions.*/\1/p' "$log")))
    else
      status=1
      echo "random driver $target: CRASH:"
      tail -20 "$log"
    fi
  fi
done
echo "fuzz-parsers ($engine): ${#targets[@]} targets, $total executions, $([ $status = 0 ] && echo 0 || echo some) crashes"
exit $status

#!/usr/bin/env bash
# kill -9 trials: runs build, pull, push, load and run (foreground, with and without --rm) on
# one store, kills each with SIGKILL at a random moment, runs the next command (`hoist
# images`) and checks the store with scripts/check-store.py: every named image's blobs present
# and verifiable, no lease of a dead process, no unfinished snapshot, no mount under the store,
# no runc/crun container or process left, nothing left under tmp/.
#   usage: scripts/kill-trials.sh [TRIALS]      (default 100; HOIST=path to the hoist binary)
# Prints one line per trial and then `N passed, M failed` and the figures. Needs root, runc or
# crun, busybox-static and docker-registry (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-100}
hoist=${HOIST:-$PWD/.build/debug/hoist}
[ -x "$hoist" ] || { echo "kill-trials: no hoist at $hoist (swift build first, or set HOIST)" >&2; exit 2; }
work=$(mktemp -d /tmp/hoist-kill-trials.XXXXXX)
export HOIST_ROOT=$work/store
registry_pid=
cleanup() {
  [ -n "$registry_pid" ] && kill "$registry_pid" 2>/dev/null || true
  # Kept containers of the trials first, then the store.
  for id in $("$hoist" ps -aq 2>/dev/null); do "$hoist" rm -f "$id" >/dev/null 2>&1 || true; done
  "$hoist" images >/dev/null 2>&1 || true
  grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A registry on 127.0.0.1 and a free port, its storage in the work directory.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
cat >"$work/registry/config.yml" <<CONFIG
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: hoist-kill-trials
CONFIG
docker-registry serve "$work/registry/config.yml" >"$work/registry/log" 2>&1 &
registry_pid=$!
for _ in $(seq 100); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/v2/')" 2>/dev/null && break
  sleep 0.1
done
registry=127.0.0.1:$port

# A base image, a big image (for pull, push and load to have work to interrupt), its archive.
scripts/make-busybox-rootfs.sh "$work/rootfs.tar"
"$hoist" import --change 'CMD ["sh"]' "$work/rootfs.tar" busybox >/dev/null
mkdir -p "$work/big"
head -c $((24 << 20)) /dev/urandom >"$work/big/payload"
printf 'FROM busybox\nCOPY payload /payload\n' >"$work/big/Dockerfile"
"$hoist" build -q -t big "$work/big" >/dev/null
"$hoist" save -o "$work/big.tar" big
"$hoist" tag big "$registry/trials/big:1"
"$hoist" push --progress=quiet "$registry/trials/big:1" >/dev/null
"$hoist" rmi "$registry/trials/big:1" >/dev/null
mkdir -p "$work/context"

operations=(build pull push load run run-kept)
passed=0 failed=0 inconsistent=0 mounts=0 containers=0 processes=0 leftovers=0
for trial in $(seq 1 "$trials"); do
  operation=${operations[$((RANDOM % ${#operations[@]}))]}
  # Each operation has work to do: what it would find done is undone first.
  case $operation in
    build)
      head -c $((4 << 20)) /dev/urandom >"$work/context/payload"
      printf 'FROM busybox\nCOPY payload /payload\nRUN cp /payload /copy && sleep 0.3 && echo %s > /trial\nRUN sleep 0.3\n' "$trial" \
        >"$work/context/Dockerfile"
      command=(build -q -t "trial$trial" "$work/context") ;;
    pull)
      "$hoist" rmi "$registry/trials/big:1" >/dev/null 2>&1 || true
      "$hoist" prune -f >/dev/null
      command=(pull --progress=quiet "$registry/trials/big:1") ;;
    push) command=(push --progress=quiet big "$registry/trials/push$trial:1") ;;
    load)
      "$hoist" rmi big >/dev/null 2>&1 || true
      "$hoist" prune -f >/dev/null
      command=(load -q -i "$work/big.tar") ;;
    run) command=(run --rm busybox sh -c "sleep 1.$trial") ;;
    run-kept) command=(run --name "kept$trial" busybox sh -c "sleep 1.$trial") ;;
  esac
  "$hoist" "${command[@]}" >/dev/null 2>&1 &
  pid=$!
  delay=$(awk -v r="$RANDOM" 'BEGIN { printf "%.3f", 0.02 + (r % 1200) / 1000 }')
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # The next command clears what the killed one left.
  "$hoist" images >/dev/null
  if report=$(python3 scripts/check-store.py "$HOIST_ROOT"); then
    passed=$((passed + 1)); verdict=ok
  else
    failed=$((failed + 1)); verdict=FAILED
    printf '%s\n' "$report" | sed 's/^/    /'
  fi
  summary=$(printf '%s\n' "$report" | tail -1)
  for figure in inconsistent mounts containers processes leftovers; do
    value=$(printf '%s\n' "$summary" | tr ' ' '\n' | sed -n "s/^$figure=//p")
    eval "$figure=\$(( $figure + ${value:-0} ))"
  done
  echo "trial $trial: $operation killed after ${delay}s: $verdict ($summary)"
  # Kept containers of run-kept trials are removed, so later checks see only new leftovers.
  for id in $("$hoist" ps -aq); do "$hoist" rm -f "$id" >/dev/null; done
done
echo "kill -9 trials: inconsistent stores $inconsistent, leaked mounts $mounts, leaked containers $containers, leaked processes $processes, leftover files $leftovers"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

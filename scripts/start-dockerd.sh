#!/usr/bin/env bash
# Starts the Debian dockerd used by interop tests, unless one already answers.
# This machine has no iptables/bridge support: containers use --network=none or host.
set -euo pipefail
docker=/usr/bin/docker   # apt's client; the newer one first on PATH lacks BuildKit support here
if "$docker" version >/dev/null 2>&1; then
  exit 0
fi
log=${TMPDIR:-/tmp}/hoist-dockerd.log
# A session of its own: the daemon outlives the shell (and process group) that started it.
setsid nohup dockerd --iptables=false --bridge=none >"$log" 2>&1 </dev/null &
for _ in $(seq 1 60); do
  "$docker" version >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "start-dockerd: dockerd did not answer within 30 s; its log ($log) ends with:" >&2
tail -20 "$log" >&2
exit 1

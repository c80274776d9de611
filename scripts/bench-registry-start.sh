# Sourced by the benchmark scripts: a local docker-registry for a benchmark's run. Expects
# $work (the run's directory); sets $registry (HOST:PORT) and $registry_pid.
start_registry() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cat >"$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $work/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: bench
YAML
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then registry=127.0.0.1:$port; return; fi
    sleep 0.1
  done
  echo "the registry did not start:" >&2; cat "$work/registry.log" >&2; exit 1
}

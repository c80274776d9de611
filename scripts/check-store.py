#!/usr/bin/env python3
"""Checks a Hoist store after a killed command and the next one, as scripts/kill-trials.sh needs.

usage: check-store.py STORE

Prints one line per problem and a summary line `inconsistent=N mounts=N containers=N
processes=N leftovers=N`; exits 1 when there is any problem.
- inconsistent: a named image (or a container's image) whose manifest, config or layer is
  missing or does not hash to its digest; a lease whose owner process has ended; a snapshot
  that is not committed and belongs to no container.
- mounts: mount points under the store (other than running kept containers' root file systems).
- containers: runc/crun containers whose bundle is under the store and that belong to no kept
  container.
- processes: processes (but this one) whose command line mentions the store.
- leftovers: entries under STORE/tmp (work directories, ingest files) or the store's directory
  in /dev/shm (runtime bundles) once the next command has ended.
"""
import hashlib, json, os, sqlite3, subprocess, sys

store = os.path.realpath(sys.argv[1])
problems = {"inconsistent": 0, "mounts": 0, "containers": 0, "processes": 0, "leftovers": 0}


def problem(kind, text):
    problems[kind] += 1
    print(f"{kind}: {text}")


def blob_path(digest):
    algorithm, encoded = digest.split(":", 1)
    return os.path.join(store, "blobs", algorithm, encoded)


def verified(digest, what):
    path = blob_path(digest)
    try:
        with open(path, "rb") as f:
            h = hashlib.new(digest.split(":", 1)[0])
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as error:
        problem("inconsistent", f"{what}: blob {digest} missing ({error.strerror})")
        return None
    if "sha256:" + h.hexdigest() != digest and "sha512:" + h.hexdigest() != digest:
        problem("inconsistent", f"{what}: blob {digest} does not hash to its digest")
        return None
    with open(path, "rb") as f:
        return f.read() if os.path.getsize(path) < (64 << 20) else b""


def check_image(digest, what):
    data = verified(digest, what)
    if data is None:
        return
    document = json.loads(data)
    for child in document.get("manifests", []):
        if os.path.exists(blob_path(child["digest"])):
            check_image(child["digest"], what)
    if "config" in document:
        verified(document["config"]["digest"], what + " config")
        for layer in document.get("layers", []):
            if "nondistributable" not in layer.get("mediaType", ""):
                verified(layer["digest"], what + " layer")


database = sqlite3.connect(f"file:{store}/hoist.db?mode=ro", uri=True)
for name, digest in database.execute("SELECT name, digest FROM image"):
    check_image(digest, f"image {name or '<none>'}")
containers = list(database.execute("SELECT id, imageDigest, snapshotKey FROM container"))
for cid, digest, _ in containers:
    check_image(digest, f"container {cid[:12]}")
container_keys = {key for _, _, key in containers}
for key, kind in database.execute("SELECT key, kind FROM snapshot"):
    if kind != "committed" and key not in container_keys:
        problem("inconsistent", f"snapshot {key} is {kind} and no container's")


def boot_id():
    with open("/proc/sys/kernel/random/boot_id") as f:
        return f.read().strip().replace("-", "")


def running(pid, started, boot):
    if boot != boot_id():
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] not in ("Z", "X") and int(fields[19]) == started


for lease, pid, started, boot in database.execute("SELECT id, pid, started, boot FROM lease"):
    if not running(pid, started, boot):
        problem("inconsistent", f"lease {lease} of ended process {pid}")

# Kept containers that run keep their root file system mounted and their runtime container.
kept_bundles = {os.path.join(store, "containers", cid, "bundle") for cid, _, _ in containers}


def unescape(field):
    return field.encode().decode("unicode_escape")


with open("/proc/self/mountinfo") as f:
    for line in f:
        point = unescape(line.split()[4])
        if (point + "/").startswith(store + "/") and not any(point.startswith(b + "/") for b in kept_bundles):
            problem("mounts", point)

for runtime in ("runc", "crun"):
    state = f"/run/hoist/{runtime}"
    if not os.path.isdir(state):
        continue
    try:
        listed = subprocess.run([runtime, "--root", state, "list", "--format", "json"], capture_output=True, text=True).stdout
        entries = json.loads(listed or "[]") or []
    except (OSError, ValueError):
        entries = []
    for entry in entries:
        bundle = os.path.realpath(entry.get("bundle", ""))
        if (bundle + "/").startswith(store + "/") and bundle not in kept_bundles:
            problem("containers", f"{runtime} {entry.get('id')} ({entry.get('status')}) bundle {bundle}")

for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) == os.getpid():
        continue
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            command = f.read()
    except OSError:
        continue
    if (store + "/").encode() in command or command.endswith(store.encode() + b"\0"):
        text = command.replace(b"\0", b" ").decode(errors="replace")[:200]
        problem("processes", f"{pid} {text}")

# Work directories: tmp/ and the store's directory in memory (runtime bundles).
named = os.path.abspath(sys.argv[1])
memory = f"/dev/shm/hoist-{os.geteuid()}/" + hashlib.sha256(named.encode()).hexdigest()[:16]
for directory in (os.path.join(store, "tmp"), memory):
    for entry in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
        problem("leftovers", os.path.join(directory, entry))

print(" ".join(f"{k}={v}" for k, v in problems.items()))
sys.exit(1 if any(problems.values()) else 0)

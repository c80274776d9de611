#!/usr/bin/env python3
"""Runs a test command and passes its output through; when it has printed nothing for a while, or
the whole run passes its deadline, prints what is still running (the tests started and not
ended, the process tree under the run, the tail of the daemon's log) and stops the run.

A hung test then fails CI quickly with its name on the last lines, instead of CI's own
time limit ending the run with nothing said.

usage: test-watchdog.py [--quiet-minutes M] [--deadline-minutes D] -- COMMAND...
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time

STARTED = re.compile(r"Test (.+?) started\.")
ENDED = re.compile(r"Test (.+?) (?:passed|failed) after|Test (.+?) skipped")


def process_tree(root):
    """The processes under `root` (with `root`): lines as `ps` shows them, with their age in
    seconds, and their IDs."""
    listing = subprocess.run(["ps", "-eo", "pid=,ppid=,etimes=,args="], capture_output=True, text=True).stdout
    rows = {}
    children = {}
    for line in listing.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4:
            continue
        pid, ppid = int(parts[0]), int(parts[1])
        rows[pid] = (parts[2], parts[3])
        children.setdefault(ppid, []).append(pid)
    lines = []
    pids = []

    def walk(pid, depth):
        if pid in rows:
            age, args = rows[pid]
            lines.append(f"{'  ' * depth}{pid} {age}s {args[:200]}")
            pids.append(pid)
        for child in children.get(pid, []):
            walk(child, depth + 1)

    walk(root, 0)
    return lines, pids


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quiet-minutes", type=float, default=15)
    parser.add_argument("--deadline-minutes", type=float, default=70)
    parser.add_argument("--daemon-log", default="/tmp/hoist-dockerd.log")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ["--"] else options.command

    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    running = {}
    last_output = [time.monotonic()]
    lock = threading.Lock()
    began = time.monotonic()

    def reader():
        for raw in child.stdout:
            sys.stdout.buffer.write(raw)
            sys.stdout.buffer.flush()
            line = raw.decode(errors="replace")
            with lock:
                if (match := STARTED.search(line)) and "Test case passing" not in line:
                    running[match.group(1)] = time.monotonic()
                elif match := ENDED.search(line):
                    name = re.sub(r" with \d+ test cases?$", "", match.group(1) or match.group(2))
                    running.pop(name, None)
                # Any line is progress: parameterised tests print only their cases' starts
                # until the whole test ends, and the corpus suites print their own lines.
                last_output[0] = time.monotonic()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    reason = None
    while child.poll() is None:
        time.sleep(5)
        now = time.monotonic()
        with lock:
            quiet = now - last_output[0]
        if quiet > options.quiet_minutes * 60:
            reason = f"the run printed nothing for {quiet / 60:.0f} minutes"
        elif now - began > options.deadline_minutes * 60:
            reason = f"the run passed its {options.deadline_minutes:.0f}-minute deadline"
        if reason:
            break
    if reason is None:
        thread.join()
        return child.returncode

    out = sys.stdout
    out.write(f"\n=== test-watchdog: {reason}; stopping the run ===\n")
    out.write("process tree under the run (pid, age, command):\n")
    lines, pids = process_tree(child.pid)
    for line in lines:
        out.write("  " + line + "\n")
    if os.path.exists(options.daemon_log):
        with open(options.daemon_log, errors="replace") as log:
            tail = [line for line in log.readlines() if "level=error" in line][-10:]
        out.write(f"last errors in {options.daemon_log}:\n" + "".join("  " + line for line in tail))
    with lock:
        out.write("tests started and not ended (oldest first):\n")
        for name, since in sorted(running.items(), key=lambda item: item[1]):
            out.write(f"  {name}  running {int(time.monotonic() - since)} s\n")
    out.flush()
    # Every process under the run: `swift test` starts the test binary in a group of its own.
    for pid in [child.pid] + pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    child.wait()
    return 124


if __name__ == "__main__":
    sys.exit(main())

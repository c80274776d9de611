#!/usr/bin/env bash
# Installs the system packages Hoist builds and tests with, when any is missing.
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail

packages=(
  # build: C libraries linked by HoistArchive and GRDB
  zlib1g-dev libzstd-dev libsqlite3-dev pkg-config
  # runtime: the OCI runtime, Docker's default seccomp profile (containers/common's
  # seccomp.json), and base-image material
  runc crun golang-github-containers-common busybox-static
  # networking: the CNI plugins (bridge, host-local, portmap, firewall, loopback) Hoist drives
  # for bridge networks, iptables for their NAT and port rules, iproute2 for bridges and tests
  containernetworking-plugins iptables iproute2
  # interop and tests: reference engine, registry, independent OCI readers, containerd (the
  # containerd backend's tests start their own, with ctr as the independent client)
  docker.io docker-registry skopeo umoci containerd
  # command-line tools the tests and benchmarks call
  zstd gzip tar git apache2-utils openssl hyperfine jq python3 bc
  # RUN --mount=type=ssh tests: a real SSH agent
  openssh-client
  # sandbox-parity tests: a static probe program, and util-linux's setpriv to act as another user;
  # rootless mode: newuidmap/newgidmap (uidmap) and useradd (passwd) for the tests' own user
  gcc libc6-dev util-linux uidmap passwd
  # hoist run --init: a small init as PID 1 from the distribution (tini, catatonit)
  tini catatonit
  # scripts/install.sh strips the binary and keeps its debug symbols aside (objcopy, strip)
  binutils
  # multi-platform builds: foreign-architecture RUN steps through binfmt_misc and QEMU user
  # emulation (the tests register the handler themselves and remove it after)
  qemu-user-static binfmt-support
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The arm64 busybox of the multi-platform tests (scripts/make-busybox-rootfs.sh OUT arm64):
# arm64 as a foreign architecture, its busybox-static package kept in apt's cache.
if ! ls /var/cache/apt/archives/busybox-static_*_arm64.deb >/dev/null 2>&1; then
  echo "install-deps: fetching busybox-static:arm64"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  dpkg --print-foreign-architectures | grep -qx arm64 || { "${sudo_cmd[@]}" dpkg --add-architecture arm64; "${sudo_cmd[@]}" apt-get update -qq; }
  (cd /var/cache/apt/archives && "${sudo_cmd[@]}" apt-get download -qq busybox-static:arm64)
fi

#!/usr/bin/env bash
# Writes a minimal root filesystem tar from Debian's busybox-static, offline and reproducibly:
# /bin/busybox, a symlink per applet, /etc/passwd and /etc/group, /tmp, /root.
# With a Debian architecture other than the host's (arm64 …), the busybox is that
# architecture's package (busybox-static:ARCH), taken from apt's cache of downloaded packages
# (scripts/install-deps.sh puts arm64's there) and its applets listed through qemu-user-static.
#   usage: scripts/make-busybox-rootfs.sh OUT.tar [ARCH]
set -euo pipefail
out=${1:?usage: $0 OUT.tar [ARCH]}
arch=${2:-$(dpkg --print-architecture)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
list=(--list)
if [ "$arch" = "$(dpkg --print-architecture)" ]; then
  busybox=/bin/busybox
  [ -x "$busybox" ] || { echo "make-busybox-rootfs: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
  lister=("$busybox")
else
  deb=$(ls /var/cache/apt/archives/busybox-static_*_"$arch".deb 2>/dev/null | head -n 1 || true)
  [ -n "$deb" ] || { echo "make-busybox-rootfs: no busybox-static:$arch package in /var/cache/apt/archives (dpkg --add-architecture $arch; apt-get update; cd /var/cache/apt/archives && apt-get download busybox-static:$arch)" >&2; exit 1; }
  dpkg-deb -x "$deb" "$work/package"
  busybox=$work/package/bin/busybox
  qemu=/usr/bin/qemu-$(dpkg-architecture -a "$arch" -qDEB_HOST_GNU_CPU 2>/dev/null)-static
  [ -x "$qemu" ] || { echo "make-busybox-rootfs: $qemu missing, to list the $arch busybox's applets (apt-get install qemu-user-static)" >&2; exit 1; }
  lister=("$qemu" "$busybox")
fi
root=$work/rootfs
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home,var,dev,proc,sys}
cp "$busybox" "$root/bin/busybox"
for applet in $("${lister[@]}" "${list[@]}"); do
  [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
done
cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
daemon:x:1:
nogroup:x:65534:
GROUP
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=pax \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$root" -cf "$out" .

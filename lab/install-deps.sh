#!/bin/sh
# Install every Debian package the lab needs on the host. Idempotent: packages
# already present are left alone, apt is only asked when something is missing.
#
#   STACK=bookworm   (default) QEMU 7.2, libvirt 9.0
#   STACK=backports  QEMU 10.0, libvirt 11.3 from bookworm-backports
set -eu

STACK=${STACK:-bookworm}
export DEBIAN_FRONTEND=noninteractive

PACKAGES="
  build-essential pkg-config make
  qemu-system-x86 qemu-system-arm qemu-utils
  libvirt-daemon-system libvirt-clients libvirt-dev
  libxml2-dev libjson-c-dev libyaml-dev libcmocka-dev
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  libjson-c-dev:arm64
  cpio kmod xz-utils zstd dpkg-dev jq bc tini libxml2-utils clang
  libguestfs-dev
  qemu-efi-aarch64
"

missing=""
need_update=no
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
case "$missing" in *:arm64*) need_update=yes ;; esac

# libguestfs (disk images, harness/disk.c) boots an appliance that supermin
# builds from the host's own packages, kernel included: it needs one in
# /boot. Containers often have none; Debian's metapackage brings one (it is
# never booted on the host, only by libguestfs under QEMU).
if ! ls /boot/vmlinuz-* >/dev/null 2>&1; then
	missing="$missing linux-image-$(dpkg --print-architecture)"
fi

# arm64 is needed for libjson-c-dev:arm64 (the agent's static aarch64 build)
# and for downloading the arm64 guest kernel and busybox in images/.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	dpkg --add-architecture arm64
	need_update=yes
fi

# bookworm-backports is always known to apt: the guest images take its
# 6.12 kernel whatever the stack. Its packages are pinned below bookworm's
# by default (priority 100), so nothing on the host moves to it unless
# STACK=backports asks.
list=/etc/apt/sources.list.d/iommu-lab-backports.list
if [ ! -f "$list" ]; then
	echo "deb http://deb.debian.org/debian bookworm-backports main" >"$list"
	need_update=yes
fi

if [ -z "$missing" ] && [ "$need_update" = no ]; then
	echo "install-deps: all packages present (stack $STACK)"
	exit 0
fi

echo "install-deps: installing:$missing"
# Third-party sources configured on a machine may be unreachable; only
# Debian's archive matters here, so a failed foreign index is not fatal.
apt-get update -q || echo "install-deps: apt-get update reported errors; continuing" >&2
if [ "$STACK" = backports ]; then
	apt-get install -y -q --no-install-recommends -t bookworm-backports \
		qemu-system-x86 qemu-system-arm qemu-utils \
		libvirt-daemon-system libvirt-clients libvirt-dev
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PACKAGES
case "$missing" in
*linux-image-*) apt-get install -y -q --no-install-recommends "linux-image-$(dpkg --print-architecture)" ;;
esac

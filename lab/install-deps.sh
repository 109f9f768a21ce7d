#!/bin/sh
# Install every Debian package the lab needs on the host. Idempotent: packages
# already present are left alone, apt is only asked when something is missing
# or the host's QEMU/libvirt are not the stack asked for.
#
#   STACK=bookworm   QEMU 7.2, libvirt 9.0 (what a fresh machine gets)
#   STACK=backports  QEMU 10.0, libvirt 11.3 from bookworm-backports
#   STACK unset      keep the stack the host is on (bookworm on a fresh one),
#                    so that `make run` after `make deps STACK=backports`
#                    does not move the host back
#
# Moving between the two is both ways: to backports, apt upgrades QEMU and
# libvirt from bookworm-backports; back to bookworm, every installed package
# built from the qemu, libvirt or seabios sources at a backports version is
# downgraded to bookworm's version, or removed where bookworm has no such
# package (libvirt 11 splits its daemon into more packages than 9.0). A
# libvirtd still running the replaced binary is restarted by
# lab/start-daemons.sh ('make daemons').
set -eu

STACK=${STACK:-}
export DEBIAN_FRONTEND=noninteractive

PACKAGES="
  build-essential pkg-config make
  qemu-system-x86 qemu-system-arm qemu-utils
  libvirt-daemon-system libvirt-clients libvirt-dev
  libxml2-dev libjson-c-dev libyaml-dev libcmocka-dev libgnutls28-dev
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

case "$STACK" in
bookworm | backports) ;;
"")   # keep what the host has
	if dpkg-query -W -f '${Version}' qemu-system-x86 2>/dev/null | grep -q bpo; then
		STACK=backports
	else
		STACK=bookworm
	fi ;;
*) echo "install-deps: STACK is bookworm or backports, not '$STACK'" >&2; exit 2 ;;
esac

# The stack's packages installed at a backports version: "PACKAGE VERSION".
backported() {
	dpkg-query -W -f '${db:Status-Status} ${Package} ${source:Package} ${Version}\n' 2>/dev/null |
		awk '$1 == "installed" && ($3 == "qemu" || $3 == "libvirt" || $3 == "seabios") &&
			$4 ~ /bpo/ { print $2, $4 }'
}
# Which stack is the host on? backports when QEMU and libvirt both are.
stack_now() {
	q=$(dpkg-query -W -f '${Version}' qemu-system-x86 2>/dev/null || true)
	l=$(dpkg-query -W -f '${Version}' libvirt-daemon 2>/dev/null || true)
	case "$q/$l" in
	*bpo*/*bpo*) echo backports ;;
	*bpo*) echo mixed ;;
	*/*bpo*) echo mixed ;;
	*) echo bookworm ;;
	esac
}
switch=no
if dpkg-query -W qemu-system-x86 >/dev/null 2>&1; then
	now=$(stack_now)
	if [ "$STACK" = backports ] && [ "$now" != backports ]; then switch=yes; fi
	if [ "$STACK" = bookworm ] && [ -n "$(backported)" ]; then switch=yes; fi
	[ "$switch" = yes ] && echo "install-deps: the host is on the $now stack; moving it to $STACK"
fi

if [ -z "$missing" ] && [ "$need_update" = no ] && [ "$switch" = no ]; then
	echo "install-deps: all packages present (stack $STACK)"
	exit 0
fi

[ -n "$missing" ] && echo "install-deps: installing:$missing"
# Third-party sources configured on a machine may be unreachable; only
# Debian's archive matters here, so a failed foreign index is not fatal.
apt-get update -q || echo "install-deps: apt-get update reported errors; continuing" >&2
if [ "$STACK" = backports ]; then
	apt-get install -y -q --no-install-recommends -t bookworm-backports \
		qemu-system-x86 qemu-system-arm qemu-utils \
		libvirt-daemon-system libvirt-clients libvirt-dev
elif [ "$switch" = yes ]; then
	moves=""
	for pv in $(backported | tr ' ' '='); do
		p=${pv%%=*}
		# bookworm's newest (point releases and security updates count)
		v=$(apt-cache madison "$p" | awk -F'|' '$3 !~ /backports/ { gsub(/ /, "", $2); print $2; exit }')
		if [ -n "$v" ]; then moves="$moves $p=$v"; else moves="$moves $p-"; fi
	done
	echo "install-deps: back to bookworm:$moves"
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends --allow-downgrades $moves
	# Backports' libvirt-common took files over from libvirt0 (Replaces:),
	# cpu_map/*.xml among them; removing it deleted them, and libvirt 9.0
	# then fails every guest ("failed to parse xml document
	# '/usr/share/libvirt/cpu_map/index.xml'"). A reinstall of what the
	# stack has now puts every file back.
	stack_pkgs=$(dpkg-query -W -f '${db:Status-Status} ${Package} ${source:Package}\n' |
		awk '$1 == "installed" && ($3 == "qemu" || $3 == "libvirt" || $3 == "seabios") { print $2 }')
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends --reinstall $stack_pkgs
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $PACKAGES
case "$missing" in
*linux-image-*) apt-get install -y -q --no-install-recommends "linux-image-$(dpkg --print-architecture)" ;;
esac

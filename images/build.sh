#!/bin/sh
# Build the guest image for one Debian architecture:
#
#   images/build.sh amd64|arm64 AGENT_BINARY [bookworm|backports]
#
# Fetches the kernel of the suite (what linux-image-ARCH points at in
# bookworm, 6.1, or in bookworm-backports, 6.12) and
# busybox-static as Debian packages with `apt-get download`, unpacks them with
# dpkg-deb (never installed on the host), resolves the modules the agent needs
# through kmod's modprobe over a depmod'ed tree, and writes
#
#   images/cache/ARCH-SUITE/vmlinuz           the kernel
#   images/cache/ARCH-SUITE/initramfs.cpio.gz busybox, the agent, modules, init
#   images/cache/ARCH-SUITE/kernel.version    e.g. 6.1.0-41-amd64
#   images/cache/ARCH-SUITE/manifest          what went in, and the input digests
#
# Cached: packages are downloaded once; the initramfs is rebuilt only when the
# digest of its inputs (packages, agent, init, module list) changes.
set -eu

ARCH=${1:?usage: images/build.sh amd64|arm64 AGENT_BINARY [bookworm|backports]}
AGENT=${2:?usage: images/build.sh amd64|arm64 AGENT_BINARY [bookworm|backports]}
SUITE=${3:-bookworm}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LAB_IMAGES:-$HERE/cache}
OUT=$CACHE/$ARCH-$SUITE
DEBS=$CACHE/debs
INIT=$HERE/init
MODULES=$(sed -e 's/#.*//' "$HERE/modules.list" | tr -s ' \n' ' ')

case "$ARCH" in
amd64 | arm64) ;;
*) echo "images: unknown architecture '$ARCH' (amd64 or arm64)" >&2; exit 2 ;;
esac
case "$SUITE" in
bookworm | backports) ;;
*) echo "images: unknown suite '$SUITE' (bookworm or backports)" >&2; exit 2 ;;
esac
[ -x "$AGENT" ] || { echo "images: agent '$AGENT' not built; run 'make'" >&2; exit 2; }

log() { echo "images[$ARCH-$SUITE]: $*"; }

mkdir -p "$OUT" "$DEBS"

# Which kernel package does the suite's metapackage point at? apt lists
# every version it knows, newest first; backports versions carry "bpo".
# (apt needs the arm64 architecture and the backports suite enabled:
# lab/install-deps.sh does both.)
kpkg=$(apt-cache show "linux-image-$ARCH:$ARCH" 2>/dev/null | awk -v bpo="$SUITE" '
	/^Version:/ { v = $2 }
	/^Depends:/ && ((bpo == "backports") == (v ~ /bpo/)) {
		sub(/^Depends: */, ""); sub(/[ ,].*/, ""); print; exit
	}')
if [ -z "$kpkg" ]; then
	echo "images: cannot resolve linux-image-$ARCH in $SUITE; run 'make deps' (it adds the suites and runs apt-get update)" >&2
	exit 2
fi

fetch() { # package -> path of its .deb in the cache
	deb=$(ls "$DEBS"/"$1"_*_"$ARCH".deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		log "downloading $1:$ARCH" >&2
		(cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "$1:$ARCH" >&2) ||
			{ echo "images: apt-get download $1:$ARCH failed" >&2; exit 2; }
		deb=$(ls "$DEBS"/"$1"_*_"$ARCH".deb | head -n 1)
	fi
	echo "$deb"
}
kdeb=$(fetch "$kpkg")
bdeb=$(fetch busybox-static)

digest=$( (sha256sum "$kdeb" "$bdeb" "$AGENT" "$INIT" "$HERE/modules.list" "$0" |
	awk '{ print $1 }') | sha256sum | cut -c1-16)
if [ -f "$OUT/manifest" ] && grep -qx "digest $digest" "$OUT/manifest" &&
	[ -f "$OUT/initramfs.cpio.gz" ] && [ -f "$OUT/vmlinuz" ]; then
	log "up to date ($(cat "$OUT/kernel.version"))"
	exit 0
fi

work=$(mktemp -d "$CACHE/.build-$ARCH.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

log "unpacking $(basename "$kdeb")"
dpkg-deb -x "$kdeb" "$work/kernel"
dpkg-deb -x "$bdeb" "$work/busybox"
kver=$(ls "$work/kernel/lib/modules" | head -n 1)
# The .debs carry no modules.dep (FIELD-NOTES): make one.
depmod -b "$work/kernel" "$kver"

root=$work/root
mkdir -p "$root/bin" "$root/sbin" "$root/lib/modules" "$root/dev" "$root/proc" \
	"$root/sys" "$root/tmp" "$root/run"
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
for applet in sh mount umount mkdir cat echo ls sleep insmod poweroff dmesg \
	grep sed head tail tr cut; do
	ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$AGENT" "$root/sbin/iommu-lab-agent"
install -m 0755 "$INIT" "$root/init"

# kmod's own resolver over the depmod'ed tree: prints "insmod PATH" in load
# order, "builtin NAME" for what the kernel has built in, and fails for a
# module this kernel does not have.
: >"$root/lib/modules/load.order"
manifest_modules=""
for m in $MODULES; do
	if ! deps=$(modprobe -d "$work/kernel" -S "$kver" --show-depends "$m" 2>/dev/null); then
		log "module $m: not in this kernel (skipped)"
		manifest_modules="$manifest_modules $m=absent"
		continue
	fi
	echo "$deps" | while read -r verb path _; do
		[ "$verb" = insmod ] || continue
		name=$(basename "$path")
		case "$name" in
		*.ko.xz) xz -dc "$path" >"$root/lib/modules/${name%.xz}"; name=${name%.xz} ;;
		*.ko.zst) zstd -qdc "$path" >"$root/lib/modules/${name%.zst}"; name=${name%.zst} ;;
		*) cp "$path" "$root/lib/modules/$name" ;;
		esac
		grep -qx "$name" "$root/lib/modules/load.order" ||
			echo "$name" >>"$root/lib/modules/load.order"
	done
	case "$deps" in
	builtin*) manifest_modules="$manifest_modules $m=builtin" ;;
	*) manifest_modules="$manifest_modules $m=module" ;;
	esac
done

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -6 >"$work/initramfs.cpio.gz"
cp "$work/kernel/boot/vmlinuz-$kver" "$work/vmlinuz"

{
	echo "digest $digest"
	echo "kernel $kver $(basename "$kdeb")"
	echo "busybox $(basename "$bdeb")"
	echo "modules$manifest_modules"
} >"$work/manifest"
echo "$kver" >"$work/kernel.version"
# Move into place last, manifest at the very end, so a half-built image is
# never taken for a good one.
rm -f "$OUT/manifest"
mv "$work/vmlinuz" "$work/initramfs.cpio.gz" "$work/kernel.version" "$OUT/"
mv "$work/manifest" "$OUT/manifest"
chmod 0644 "$OUT"/*
log "built $kver: $(du -h "$OUT/initramfs.cpio.gz" | cut -f1) initramfs"

#!/bin/sh
# Build the guest image for one Debian architecture:
#
#   images/build.sh amd64|arm64 AGENT_BINARY [bookworm|backports]
#   images/build.sh amd64|arm64 AGENT_BINARY custom-ID KERNEL [MODULES_ROOT]
#
# The second form takes a kernel the user built (bzImage or Image) and,
# optionally, its INSTALL_MOD_PATH tree (MODULES_ROOT/lib/modules/KVER); the
# harness names it custom-ID from the files' path, size and time.
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
CUSTOM_KERNEL=${4:-}
CUSTOM_MODULES=${5:-}
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
custom-*)
	[ -r "$CUSTOM_KERNEL" ] || { echo "images: kernel '$CUSTOM_KERNEL' not readable" >&2; exit 2; }
	if [ -n "$CUSTOM_MODULES" ] && [ ! -d "$CUSTOM_MODULES/lib/modules" ]; then
		echo "images: '$CUSTOM_MODULES' has no lib/modules (give the INSTALL_MOD_PATH tree)" >&2
		exit 2
	fi
	;;
*) echo "images: unknown suite '$SUITE' (bookworm, backports or custom-ID)" >&2; exit 2 ;;
esac
[ -x "$AGENT" ] || { echo "images: agent '$AGENT' not built; run 'make'" >&2; exit 2; }

log() { echo "images[$ARCH-$SUITE]: $*"; }

mkdir -p "$OUT" "$DEBS"

# A user's kernel: its version from its modules tree, or from the image
# (bzImage's setup header points at the version string; an uncompressed or
# gzip'ed arm64 Image holds "Linux version ...").
custom_version() {
	if [ -n "$CUSTOM_MODULES" ]; then
		ls "$CUSTOM_MODULES/lib/modules" | head -n 1
		return
	fi
	off=$(od -An -tu2 -j 526 -N 2 "$CUSTOM_KERNEL" 2>/dev/null | tr -d ' ')
	if [ "$(dd if="$CUSTOM_KERNEL" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] && [ -n "$off" ]; then
		dd if="$CUSTOM_KERNEL" bs=1 skip=$((off + 512)) count=64 2>/dev/null |
			tr '\0' '\n' | head -n 1 | cut -d' ' -f1
		return
	fi
	{ zcat -f "$CUSTOM_KERNEL" 2>/dev/null || cat "$CUSTOM_KERNEL"; } |
		grep -a -o -m 1 'Linux version [^ ]*' | cut -d' ' -f3
}

case "$SUITE" in
custom-*)
	kdeb=""
	kinputs="$CUSTOM_KERNEL"
	;;
*)
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
	;;
esac

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
[ -n "${kpkg:-}" ] && kdeb=$(fetch "$kpkg") && kinputs="$kdeb"
bdeb=$(fetch busybox-static)

digest=$( (sha256sum $kinputs "$bdeb" "$AGENT" "$INIT" "$HERE/modules.list" "$0" |
	awk '{ print $1 }'; echo "$CUSTOM_MODULES") | sha256sum | cut -c1-16)
if [ -f "$OUT/manifest" ] && grep -qx "digest $digest" "$OUT/manifest" &&
	[ -f "$OUT/initramfs.cpio.gz" ] && [ -f "$OUT/vmlinuz" ]; then
	log "up to date ($(cat "$OUT/kernel.version"))"
	exit 0
fi

work=$(mktemp -d "$CACHE/.build-$ARCH.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

dpkg-deb -x "$bdeb" "$work/busybox"
if [ -n "$kdeb" ]; then
	log "unpacking $(basename "$kdeb")"
	dpkg-deb -x "$kdeb" "$work/kernel"
	kver=$(ls "$work/kernel/lib/modules" | head -n 1)
	kimage=$work/kernel/boot/vmlinuz-$kver
	moddir=$work/kernel
	# The .debs carry no modules.dep (docs/NOTES.md, "Guest kernels"): make one.
	depmod -b "$moddir" "$kver"
else
	kver=$(custom_version)
	[ -n "$kver" ] || kver=unknown
	kimage=$CUSTOM_KERNEL
	moddir=${CUSTOM_MODULES:-$work/nomodules}
	mkdir -p "$work/nomodules/lib/modules/$kver"
	# an INSTALL_MOD_PATH tree has its modules.dep; a bare one gets one, in a copy
	if [ -n "$CUSTOM_MODULES" ] && [ ! -f "$moddir/lib/modules/$kver/modules.dep" ]; then
		cp -a "$CUSTOM_MODULES" "$work/modules"
		moddir=$work/modules
		depmod -b "$moddir" "$kver"
	fi
	[ -f "$moddir/lib/modules/$kver/modules.dep" ] || depmod -b "$moddir" "$kver" 2>/dev/null || true
	log "custom kernel $kver from $CUSTOM_KERNEL${CUSTOM_MODULES:+ with modules from $CUSTOM_MODULES}"
fi

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
	if ! deps=$(modprobe -d "$moddir" -S "$kver" --show-depends "$m" 2>/dev/null); then
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
cp "$kimage" "$work/vmlinuz"

{
	echo "digest $digest"
	echo "kernel $kver $(basename "${kdeb:-$CUSTOM_KERNEL}")"
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

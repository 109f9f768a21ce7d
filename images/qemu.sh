#!/bin/sh
# Fetch a Debian suite's QEMU into the image cache, beside the host's, never
# installing it:
#
#   images/qemu.sh bookworm|backports [--refresh]
#
# bookworm is QEMU 7.2, bookworm-backports QEMU 10.0. The packages
# (qemu-system-x86, qemu-system-arm, qemu-system-common, qemu-system-data and
# the suite's SeaBIOS) come from `apt-get download` at the suite's version and
# are unpacked with dpkg-deb into
#
#   images/cache/qemu-SUITE/root/       the unpacked tree (usr/bin/qemu-system-*)
#   images/cache/qemu-SUITE/bin/        qemu-system-x86_64 and -aarch64: wrappers
#                                       that set QEMU_MODULE_DIR (and turn libvirt
#                                       9.0's -no-acpi into -machine acpi=off),
#                                       then exec the binary
#   images/cache/qemu-SUITE/version     what `qemu-system-x86_64 --version` says, e.g. 10.0.2
#   images/cache/qemu-SUITE/manifest    the packages that went in (written last)
#
# The harness (harness/qemu.c) boots guests with it through libvirt's
# <emulator> (the wrapper) and -L for its firmware. The wrapper exists for
# the modules: Debian builds TCG as a loadable module (7.2), and a QEMU only
# loads modules of its own build ("could not load module for type
# 'tcg-accel-ops'"; 10.0 aborts in module_load_dso when libvirt's capability
# probe, which passes no environment, makes it load the host's). So the
# QEMU_MODULE_DIR has to be set for libvirt's probe as much as for the guest.
# The shared libraries come from the host: `make deps` installs the ones both
# suites' QEMUs link (lab/install-deps.sh); a missing one is named here.
#
# Cached: done once per suite; the harness runs this script once per
# invocation that uses the suite, and a cached tree answers at once.
# --refresh asks apt again and unpacks a newer point release of the suite.
set -eu

SUITE=${1:?usage: images/qemu.sh bookworm|backports}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LAB_IMAGES:-$HERE/cache}
DEBS=$CACHE/debs
OUT=$CACHE/qemu-$SUITE
PACKAGES="qemu-system-x86 qemu-system-arm qemu-system-common qemu-system-data seabios"

case "$SUITE" in
bookworm) release=bookworm ;;
backports) release=bookworm-backports ;;
*) echo "qemu: unknown suite '$SUITE' (bookworm or backports)" >&2; exit 2 ;;
esac

log() { echo "qemu[$SUITE]: $*"; }

# QEMU looks for a module in QEMU_MODULE_DIR, then in the folder it was
# built for (/usr/lib/ARCH/qemu: the host QEMU's), and takes the first file
# of that name it finds (util/module.c, module_load). A module the host's
# QEMU has and this one lacks (Debian moved ui-opengl and friends into other
# packages between 7.2 and 10.0) would be loaded from the host's folder, and
# a module of another build aborts QEMU (module_load_dso's assertion) as
# soon as libvirt's capability probe lists the QOM types. An empty file of
# that name in this QEMU's folder stops the search there: the module fails
# to load (it is not needed by a headless guest) and QEMU goes on.
shadow_host_modules() { # the module folder of the unpacked tree
	for m in /usr/lib/*/qemu/*.so; do
		[ -e "$m" ] || continue
		[ -e "$1/$(basename "$m")" ] || : >"$1/$(basename "$m")"
	done
}

# Fast path, taken on every run that uses the suite: what is unpacked was
# made by this very script. Asking apt for the suite's versions costs seconds
# (apt-cache madison); --refresh does that and picks up a newer point release.
script_digest=$(sha256sum "$0" | cut -c1-16)
if [ "${2:-}" != --refresh ] && [ -f "$OUT/manifest" ] &&
	grep -qx "script $script_digest" "$OUT/manifest" &&
	[ -x "$OUT/root/usr/bin/qemu-system-x86_64" ]; then
	shadow_host_modules "$(ls -d "$OUT"/root/usr/lib/*/qemu | head -n 1)"
	log "cached (QEMU $(cat "$OUT/version")); '$0 $SUITE --refresh' looks for a newer one"
	exit 0
fi

# The newest version of a package in the suite: apt-cache madison lists
# every version it knows, newest first, with the archive each came from
# (bookworm's point releases and security updates count as bookworm).
version_of() {
	apt-cache madison "$1" 2>/dev/null | awk -F'|' -v want="$SUITE" '
		{ v = $2; src = $3; gsub(/ /, "", v) }
		want == "backports" && src ~ /bookworm-backports/ { print v; exit }
		want == "bookworm" && src !~ /backports/ { print v; exit }'
}

mkdir -p "$DEBS"
wanted=""
for p in $PACKAGES; do
	v=$(version_of "$p")
	if [ -z "$v" ]; then
		# seabios has no backport on every architecture's index: fall back to bookworm's
		if [ "$p" = seabios ]; then
			v=$(SUITE=bookworm version_of seabios)
		fi
		[ -n "$v" ] || {
			echo "qemu: apt knows no $p in $release; run 'make deps' (it adds the suite and runs apt-get update)" >&2
			exit 2
		}
	fi
	wanted="$wanted $p=$v"
done

manifest=$(for w in $wanted; do echo "package $w"; done)
# (the script's own digest too: a changed wrapper means a new unpack)
manifest="$manifest
script $script_digest"
if [ -f "$OUT/manifest" ] && [ "$(grep -E '^(package|script) ' "$OUT/manifest")" = "$manifest" ] &&
	[ -x "$OUT/root/usr/bin/qemu-system-x86_64" ]; then
	shadow_host_modules "$(ls -d "$OUT"/root/usr/lib/*/qemu | head -n 1)"
	log "up to date (QEMU $(cat "$OUT/version"))"
	exit 0
fi

debs=""
for w in $wanted; do
	p=${w%%=*}
	v=${w#*=}
	# apt writes the epoch ("1:") of the version as "1%3a" in the file name
	deb=$(ls "$DEBS/${p}_"*"${v#*:}_"*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		log "downloading $p $v"
		(cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "$p=$v" >&2) ||
			{ echo "qemu: apt-get download $p=$v failed" >&2; exit 2; }
		deb=$(ls "$DEBS/${p}_"*"${v#*:}_"*.deb | head -n 1)
	fi
	debs="$debs $deb"
done

work=$(mktemp -d "$CACHE/.qemu-$SUITE.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
for deb in $debs; do
	log "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$work/root"
done

# Every library the binaries link must be on the host (make deps).
missing=$(for b in "$work"/root/usr/bin/qemu-system-x86_64 "$work"/root/usr/bin/qemu-system-aarch64; do
	ldd "$b" 2>/dev/null | awk '/not found/ { print $1 }'
done | sort -u | tr '\n' ' ')
if [ -n "$missing" ]; then
	echo "qemu: the $SUITE QEMU needs libraries this host lacks: $missing; run 'make deps'" >&2
	exit 2
fi
version=$("$work/root/usr/bin/qemu-system-x86_64" --version | awk '/version/ { print $4; exit }')
[ -n "$version" ] || { echo "qemu: the unpacked qemu-system-x86_64 does not run" >&2; exit 2; }

moddir=$(cd "$work/root" && ls -d usr/lib/*/qemu 2>/dev/null | head -n 1)
shadow_host_modules "$work/root/$moddir"
mkdir -p "$work/bin"
for arch in x86_64 aarch64; do
	# -no-acpi: libvirt 9.0 writes it for an aarch64 guest without <acpi/>,
	# and QEMU 9.0 removed it ("-no-acpi: invalid option"); -machine
	# acpi=off says the same to every QEMU since 6.2 (a later -machine
	# acpi=on, which smmuv3-uefi adds, still wins).
	cat >"$work/bin/qemu-system-$arch" <<-EOF
	#!/bin/sh
	# written by images/qemu.sh: the $SUITE QEMU with its own modules
	for a in "\$@"; do
		shift
		if [ "\$a" = -no-acpi ]; then set -- "\$@" -machine acpi=off; else set -- "\$@" "\$a"; fi
	done
	QEMU_MODULE_DIR=$OUT/root/$moddir exec $OUT/root/usr/bin/qemu-system-$arch "\$@"
	EOF
	chmod 0755 "$work/bin/qemu-system-$arch"
done

# QEMU runs as libvirt-qemu: the tree must be readable by it.
chmod -R a+rX "$work/root" "$work/bin"
echo "$version" >"$work/version"
echo "$manifest" >"$work/manifest"
rm -rf "$OUT"
mkdir -p "$OUT"
mv "$work/root" "$work/bin" "$work/version" "$OUT/"
mv "$work/manifest" "$OUT/manifest"
log "QEMU $version in $OUT"

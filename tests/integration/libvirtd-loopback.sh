#!/bin/sh
# A second libvirtd for tests: listening on 127.0.0.1 over TCP with no
# authentication, with its own configuration and state, beside the system
# one (which keeps qemu:///system and its domains).
#
#   tests/integration/libvirtd-loopback.sh start [PORT]   prints its URI
#   tests/integration/libvirtd-loopback.sh stop [PORT]
#   tests/integration/libvirtd-loopback.sh uri [PORT]
#
# It runs in a mount namespace of its own (unshare -m, private propagation)
# in which private folders are bound over what a libvirtd keeps state in:
# /etc/libvirt (a copy: storage pools it defines stay its own),
# /run/libvirt (its sockets, its virtlogd's), /var/lib/libvirt/qemu,
# /var/cache/libvirt/qemu and /var/log/libvirt/qemu. Its folder is
# LAB_LOOPBACK_DIR (default /var/tmp/iommu-lab-libvirtd-PORT), kept between
# a stop and the next start (the storage pool's volumes live in pool/).
# Exit 77 when the namespace cannot be made (not root, unshare refused):
# the caller skips, naming the reason printed on stderr.
set -eu

cmd=${1:-}
PORT=${2:-${LAB_LOOPBACK_PORT:-16519}}
DIR=${LAB_LOOPBACK_DIR:-/var/tmp/iommu-lab-libvirtd-$PORT}
URI="qemu+tcp://127.0.0.1:$PORT/system"

answers() { virsh -q -c "$URI" version >/dev/null 2>&1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
	if alive "$DIR/libvirtd.pid" && answers; then
		echo "$URI"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "libvirtd-loopback: needs root (a libvirtd with qemu:///system state)" >&2
		exit 77
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "libvirtd-loopback: unshare -m is not permitted here: $(unshare -m true 2>&1 | head -n 1)" >&2
		exit 77
	fi
	if ss -ltn 2>/dev/null | grep -q "[:.]$PORT "; then
		echo "libvirtd-loopback: port $PORT is taken" >&2
		exit 2
	fi
	mkdir -p "$DIR/run" "$DIR/lib-qemu" "$DIR/cache-qemu" "$DIR/log-qemu" "$DIR/pool"
	# QEMU runs as libvirt-qemu: it must reach the pool's volumes
	chmod 0755 "$DIR" "$DIR/pool"
	if [ ! -d "$DIR/etc" ]; then
		cp -a /etc/libvirt "$DIR/etc"
		# no persistent domains, pools or networks of the system daemon
		rm -rf "$DIR/etc/storage" "$DIR/etc/qemu"
		mkdir -p "$DIR/etc/qemu"
	fi
	cat >"$DIR/libvirtd.conf" <<-EOF
	listen_tls = 0
	listen_tcp = 1
	listen_addr = "127.0.0.1"
	tcp_port = "$PORT"
	auth_tcp = "none"
	unix_sock_dir = "/run/libvirt"
	EOF
	rm -f "$DIR/libvirtd.pid" "$DIR/virtlogd.pid"
	# tini -s: a prompt reaper of the QEMUs it double-forks (lab/start-daemons.sh)
	reaper=
	command -v tini >/dev/null 2>&1 && reaper="tini -s --"
	setsid unshare -m --propagation private sh -c '
		set -e
		D=$1
		mount --bind "$D/etc" /etc/libvirt
		mount --bind "$D/run" /run/libvirt
		mount --bind "$D/lib-qemu" /var/lib/libvirt/qemu
		mount --bind "$D/cache-qemu" /var/cache/libvirt/qemu
		mount --bind "$D/log-qemu" /var/log/libvirt/qemu
		virtlogd -d -p "$D/virtlogd.pid"
		shift
		exec "$@" libvirtd --listen -f "$D/libvirtd.conf" -p "$D/libvirtd.pid"
	' sh "$DIR" $reaper >>"$DIR/libvirtd.log" 2>&1 </dev/null &
	i=0
	while ! answers; do
		i=$((i + 1))
		if [ $i -gt 150 ]; then
			echo "libvirtd-loopback: $URI does not answer after 30 s; see $DIR/libvirtd.log" >&2
			stop
			exit 2
		fi
		sleep 0.2
	done
	echo "$URI"
}

stop() {
	if answers; then
		for d in $(virsh -q -c "$URI" list --name 2>/dev/null); do
			virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
		done
	fi
	for f in libvirtd.pid virtlogd.pid; do
		alive "$DIR/$f" || continue
		pid=$(cat "$DIR/$f")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
		rm -f "$DIR/$f"
	done
	return 0
}

case "$cmd" in
start) start ;;
stop) stop ;;
uri) echo "$URI" ;;
*) echo "usage: $0 start|stop|uri [PORT]" >&2; exit 2 ;;
esac

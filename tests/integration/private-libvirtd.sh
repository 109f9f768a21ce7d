#!/bin/sh
# A private second libvirtd: the remote host of tests/integration/remote.sh
# and bench/hosts (everything uploaded through its storage pool, PORT's
# folder/pool), and the daemon tests/integration/faults.sh kills and
# restarts under a running matrix, without touching the system daemon and
# the guests other people run on it.
#
#   tests/integration/private-libvirtd.sh start [PORT]     prints its URI
#   tests/integration/private-libvirtd.sh kill [PORT]      SIGKILL libvirtd only
#                                                         (guests and state stay)
#   tests/integration/private-libvirtd.sh restart [PORT]   kill, then start again:
#                                                         it finds the running guests
#   tests/integration/private-libvirtd.sh freeze [PORT]    SIGSTOP libvirtd: a hung daemon
#   tests/integration/private-libvirtd.sh thaw [PORT]      SIGCONT it
#   tests/integration/private-libvirtd.sh stop [PORT]      destroy its guests, stop it
#   tests/integration/private-libvirtd.sh uri [PORT]
#
# PORT defaults to LAB_PRIVATE_PORT or 16529; its folder is LAB_PRIVATE_DIR
# (default /var/tmp/iommu-lab-private-PORT). It listens on 127.0.0.1 over TCP
# with no authentication (qemu+tcp://127.0.0.1:PORT/system), in a mount
# namespace of its own (unshare -m, private propagation) in which private
# folders are bound over /etc/libvirt (a copy without the system's persistent
# domains, pools and networks), /run/libvirt, /var/lib/libvirt/qemu,
# /var/cache/libvirt/qemu and /var/log/libvirt/qemu. A restarted daemon gets
# a new namespace over the same folders, and so the state of the guests the
# old one started. DIR/pool is there for a `--hosts` entry's pool_dir
# (QEMU, as libvirt-qemu, must reach the volumes in it).
# Exit 77 when it cannot be made here (not root, unshare refused).
set -eu

cmd=${1:-}
PORT=${2:-${LAB_PRIVATE_PORT:-16529}}
DIR=${LAB_PRIVATE_DIR:-/var/tmp/iommu-lab-private-$PORT}
URI="qemu+tcp://127.0.0.1:$PORT/system"

answers() { virsh -q -c "$URI" version >/dev/null 2>&1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start() {
	if alive "$DIR/libvirtd.pid" && answers; then
		echo "$URI"
		return 0
	fi
	if [ "$(id -u)" -ne 0 ]; then
		echo "private-libvirtd: needs root" >&2
		exit 77
	fi
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "private-libvirtd: unshare -m is not permitted here: $(unshare -m true 2>&1 | head -n 1)" >&2
		exit 77
	fi
	# a daemon on that port that is not this one's: never use it (its
	# guests are someone else's, and kill/restart/stop would hit them)
	if ss -ltn 2>/dev/null | grep -q "127.0.0.1:$PORT "; then
		echo "private-libvirtd: port $PORT is taken by another daemon; choose another (LAB_PRIVATE_PORT)" >&2
		exit 2
	fi
	mkdir -p "$DIR/run" "$DIR/lib-qemu" "$DIR/cache-qemu" "$DIR/log-qemu" "$DIR/pool"
	chmod 0755 "$DIR" "$DIR/pool"
	if [ ! -d "$DIR/etc" ]; then
		cp -a /etc/libvirt "$DIR/etc"
		rm -rf "$DIR/etc/storage" "$DIR/etc/qemu"
		mkdir -p "$DIR/etc/qemu"
	fi
	cat >"$DIR/libvirtd.conf" <<-CONF
	listen_tls = 0
	listen_tcp = 1
	listen_addr = "127.0.0.1"
	tcp_port = "$PORT"
	auth_tcp = "none"
	unix_sock_dir = "/run/libvirt"
	CONF
	rm -f "$DIR/libvirtd.pid"
	# the old virtlogd (of a killed daemon's namespace) still serves the
	# same socket: keep it, as a host's virtlogd outlives libvirtd
	logd=1
	alive "$DIR/virtlogd.pid" && logd=0
	reaper=
	command -v tini >/dev/null 2>&1 && reaper="tini -s --"
	setsid unshare -m --propagation private sh -c '
		set -e
		D=$1 LOGD=$2
		mount --bind "$D/etc" /etc/libvirt
		mount --bind "$D/run" /run/libvirt
		mount --bind "$D/lib-qemu" /var/lib/libvirt/qemu
		mount --bind "$D/cache-qemu" /var/cache/libvirt/qemu
		mount --bind "$D/log-qemu" /var/log/libvirt/qemu
		[ "$LOGD" = 1 ] && virtlogd -d -p "$D/virtlogd.pid"
		shift 2
		exec "$@" libvirtd --listen -f "$D/libvirtd.conf" -p "$D/libvirtd.pid"
	' sh "$DIR" "$logd" $reaper >>"$DIR/libvirtd.log" 2>&1 </dev/null &
	i=0
	while ! { alive "$DIR/libvirtd.pid" && answers; }; do
		i=$((i + 1))
		if [ "$i" -gt 150 ]; then
			echo "private-libvirtd: $URI did not answer within 30 s (see $DIR/libvirtd.log)" >&2
			exit 2
		fi
		sleep 0.2
	done
	echo "$URI"
}

kill_daemon() {
	if alive "$DIR/libvirtd.pid"; then
		pid=$(cat "$DIR/libvirtd.pid")
		kill -9 "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	fi
}

stop() {
	# only this folder's daemon: its guests are the tests' own
	if alive "$DIR/libvirtd.pid" && answers; then
		for d in $(virsh -q -c "$URI" list --name 2>/dev/null); do
			virsh -q -c "$URI" destroy "$d" >/dev/null 2>&1 || true
		done
	fi
	if alive "$DIR/libvirtd.pid"; then
		pid=$(cat "$DIR/libvirtd.pid")
		kill -CONT "$pid"
		kill "$pid"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$pid" 2>/dev/null || true
	fi
	if alive "$DIR/virtlogd.pid"; then
		kill "$(cat "$DIR/virtlogd.pid")" 2>/dev/null || true
	fi
	rm -f "$DIR/libvirtd.pid" "$DIR/virtlogd.pid"
}

case "$cmd" in
start) start ;;
kill) kill_daemon ;;
restart) kill_daemon; start ;;
freeze) alive "$DIR/libvirtd.pid" && kill -STOP "$(cat "$DIR/libvirtd.pid")" ;;
thaw) alive "$DIR/libvirtd.pid" && kill -CONT "$(cat "$DIR/libvirtd.pid")" ;;
stop) stop ;;
uri) echo "$URI" ;;
*) echo "usage: $0 start|kill|restart|freeze|thaw|stop|uri [PORT]" >&2; exit 2 ;;
esac

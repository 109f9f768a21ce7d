#!/bin/sh
# Start libvirt's daemons by hand (these machines have no systemd) and wait
# until qemu:///system answers. Safe to run when they are already up.
set -eu

URI=${LIBVIRT_DEFAULT_URI:-qemu:///system}
TIMEOUT=${LAB_DAEMON_TIMEOUT:-30}

if ! command -v libvirtd >/dev/null 2>&1; then
	echo "start-daemons: libvirtd is not installed; run 'make deps'" >&2
	exit 2
fi
if ! getent passwd libvirt-qemu >/dev/null; then
	echo "start-daemons: user libvirt-qemu missing; install libvirt-daemon-system ('make deps')" >&2
	exit 2
fi

# A daemon still running a binary that apt has since replaced (make deps
# STACK=... moved the host to the other libvirt) is stopped, to start anew.
restart_if_replaced() {
	for pid in $(pgrep -x "$1" || true); do
		case "$(readlink "/proc/$pid/exe" 2>/dev/null)" in
		*"(deleted)"*)
			echo "start-daemons: $1 ($pid) runs a replaced binary; restarting it"
			kill "$pid"
			i=0
			while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
			;;
		esac
	done
}
restart_if_replaced libvirtd
restart_if_replaced virtlogd

pgrep -x virtlogd >/dev/null || virtlogd -d
# libvirtd double-forks QEMU, so a QEMU that exits is reaped by PID 1, and
# libvirt waits for that on every destroy and shutdown. On machines whose
# PID 1 reaps orphans only now and then (seen here: ~1.2 s late), that wait
# is most of a guest's teardown. tini -s makes a prompt subreaper the
# nearest ancestor instead; libvirtd then runs in the foreground under it.
# the system daemon by its pid file: a private second libvirtd (the tests'
# tests/integration/private-libvirtd.sh) must not pass for it
system_libvirtd() { [ -s /run/libvirtd.pid ] && [ "$(cat "/proc/$(cat /run/libvirtd.pid)/comm" 2>/dev/null)" = libvirtd ]; }
if ! system_libvirtd; then
	if command -v tini >/dev/null 2>&1; then
		setsid tini -s -- libvirtd >>/var/log/libvirt/iommu-lab-libvirtd.log 2>&1 </dev/null &
	else
		libvirtd -d
	fi
fi

i=0
while ! virsh -q -c "$URI" version >/dev/null 2>&1; do
	i=$((i + 1))
	if [ "$i" -gt $((TIMEOUT * 5)) ]; then
		echo "start-daemons: $URI did not answer within ${TIMEOUT}s" >&2
		exit 2
	fi
	sleep 0.2
done
echo "start-daemons: $URI is up"

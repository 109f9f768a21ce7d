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

pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d

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

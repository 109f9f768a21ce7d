# Sourced by tests/integration/run.sh (its check/jqf helpers, $LAB, $OUT,
# $TIMEOUT, $URI): a matrix spread over two libvirt hosts, the system
# daemon and a second libvirtd on 127.0.0.1 over TCP (no authentication,
# its own state: tests/integration/private-libvirtd.sh) that gets
# everything through the storage API (upload: always). The same matrix run
# on the local host alone must give the same verdicts.
LOOPBACK=tests/integration/private-libvirtd.sh
# (16529 is tests/integration/faults.sh's private daemon)
LPORT=${LAB_IT_LOOPBACK_PORT:-16549}
export LAB_PRIVATE_DIR="$OUT/libvirtd"
luri=$("$LOOPBACK" start "$LPORT" 2>"$OUT/loopback.err")
lrc=$?
if [ "$lrc" -eq 0 ]; then
	trap '"$LOOPBACK" stop "$LPORT"; rm -rf "$OUT"' EXIT
	cat >"$OUT/hosts.yaml" <<-YAML
	- uri: $URI
	  jobs: 1
	- uri: $luri
	  jobs: 1
	  upload: always
	  pool_dir: $OUT/libvirtd/pool
	YAML
	cat >"$OUT/hosts-loopback.yaml" <<-YAML
	- uri: $luri
	  jobs: 1
	  upload: always
	  pool_dir: $OUT/libvirtd/pool
	YAML
	"$LAB" run tests/data/pool/remote.yaml --hosts "$OUT/hosts.yaml" --json \
		--results "$OUT/remote" >"$OUT/remote.json" 2>"$OUT/remote.err"
	rc=$?
	check "remote: two runs over the local and the loopback host, every check held (exit 0)" \
		sh -c "[ $rc -eq 0 ] && jq -e '.runs | length == 2' '$OUT/remote.json'"
	[ "$rc" -eq 0 ] || tail -n 5 "$OUT/remote.err" | sed 's/^/#   /'
	check "remote: one run on each host, each result naming it" \
		jqf --arg l "$URI" --arg r "$luri" '[.runs[].host] | sort == ([$l, $r] | sort)' "$OUT/remote.json"
	check "remote: kernels, initramfs, firmware and base disk uploaded to the loopback host" \
		jqf --arg r "$luri" '.host.hosts[] | select(.uri == $r) | .upload and
		    ([.uploads[].volume | test("/cas-[0-9a-f]{24}-")] | length >= 6 and all)' "$OUT/remote.json"
	check "remote: the local host uploads nothing" \
		jqf --arg l "$URI" '.host.hosts[] | select(.uri == $l) | (.upload | not) and (.uploads | length == 0)' \
		"$OUT/remote.json"
	"$LAB" run tests/data/pool/remote.yaml --jobs 2 --json \
		--results "$OUT/remote-local" >"$OUT/remote-local.json" 2>/dev/null
	verdicts() { jq -S '[.runs[] | {name, status, verdict, checks: [.checks[] | {name, verdict}]}] | sort_by(.name)' "$1"; }
	check "remote: the same verdicts and checks as the matrix on the local host alone" \
		sh -c "[ \"\$(jq -r .summary.verdict '$OUT/remote-local.json')\" = pass ] &&
		       [ \"$(verdicts "$OUT/remote.json" | md5sum)\" = \"$(verdicts "$OUT/remote-local.json" | md5sum)\" ]"
	# once per content: a second run on the loopback host sends nothing
	"$LAB" run tests/data/pool/remote.yaml --only '^remote\.intel\.' --hosts "$OUT/hosts-loopback.yaml" \
		--json --results "$OUT/remote2" >"$OUT/remote2.json" 2>/dev/null
	check "remote: a second run finds every volume in place (0 bytes uploaded) and passes" \
		jqf '.summary.verdict == "pass" and ([.host.hosts[0].uploads[].bytes] | length >= 3 and all(. == 0))' \
		"$OUT/remote2.json"
	check "remote: the runs' overlay volumes were deleted" \
		sh -c "! virsh -q -c '$luri' vol-list iommulab | grep -q ' run-'"
	# a QEMU built on this machine cannot go to an upload host
	"$LAB" run tests/data/pool/remote.yaml --only '^remote\.intel\.' --qemu backports \
		--hosts "$OUT/hosts-loopback.yaml" --json --results "$OUT/remote3" >"$OUT/remote3.json" 2>/dev/null
	check "remote: a run on the backports QEMU is skipped on an upload-only host, saying why" \
		jqf '.runs[0].verdict == "skip" and (.runs[0].reason | test("runs only on a host that shares"))' \
		"$OUT/remote3.json"
	# (by name: other lab invocations may share the system daemon)
	left=0
	for x in "$OUT"/remote/*/domain.xml "$OUT"/remote-local/*/domain.xml "$OUT"/remote2/*/domain.xml; do
		d=$(sed -n 's|.*<name>\(iommulab-[^<]*\)</name>.*|\1|p' "$x" | head -n 1)
		if virsh -q -c "$URI" domstate "$d" >/dev/null 2>&1 ||
		   virsh -q -c "$luri" domstate "$d" >/dev/null 2>&1; then
			left=1
		fi
	done
	check "remote: none of these runs' domains is left on either host" [ "$left" -eq 0 ]
	check "remote: nothing at all is left on the loopback host" \
		sh -c "[ -z \"\$(virsh -q -c '$luri' list --all --name)\" ]"
	"$LOOPBACK" stop "$LPORT"
	trap 'rm -rf "$OUT"' EXIT
	check "remote: the loopback libvirtd stopped" sh -c "! virsh -q -c '$luri' version"
elif [ "$lrc" -eq 77 ]; then
	echo "# skip remote hosts: $(cat "$OUT/loopback.err")"
else
	not_ok "remote: the loopback libvirtd starts" "$(cat "$OUT/loopback.err")"
fi

#!/bin/sh
# Reliability figures: what the lab does when its host misbehaves. Each case
# prints what was expected and what happened, with figures, as TAP lines, and
# checks "nothing lost": every run folder with a run.json (a run that
# finished) is in results.json with the same status.
#
#   tests/integration/faults.sh   (make faults, and the end of run.sh; needs
#                                  make all images; ~2.5 min here)
#
# Runs on a private libvirtd (tests/integration/private-libvirtd.sh, port
# LAB_FAULTS_PORT, default 16529) so that killing and restarting it touches
# no one else's guests; it is stopped at the end. Cases:
#   restart    libvirtd killed and started again under a run
#   hang       libvirtd stopped (SIGSTOP) for 45 s under a run
#   down       libvirtd killed and left down past --reconnect-wait
#   qemu       the guest's QEMU killed (SIGKILL) from outside
#   sigkill    the lab killed (SIGKILL) mid-matrix, then `iommu-lab gc`
#   concurrent two matrices at once (LAB_FAULTS_ONE_GUEST=1: the second
#              boots nothing, and runs gc while the first one's guest runs)
#   hostile    a guest that sends garbage lines and a 9 MiB line on the
#              agent channel (the agent's test-only iommulab.garbage= and
#              iommulab.flood= kernel arguments)
#   diskfull   results on a 1 MiB tmpfs (a private mount namespace) that
#              fills up once the first run is saved
# LAB_FAULTS_CASES="restart qemu" runs only those.
set -u
cd "$(dirname "$0")/../.."
LAB=${LAB:-$PWD/build/iommu-lab}
PRIV=tests/integration/private-libvirtd.sh
PORT=${LAB_FAULTS_PORT:-16529}
CASES=${LAB_FAULTS_CASES:-restart hang down qemu sigkill concurrent hostile diskfull}
TIMEOUT=${LAB_IT_TIMEOUT:-300}
OUT=$(mktemp -d /tmp/iommu-lab-faults.XXXXXX)
chmod 0755 "$OUT"
n=0 passed=0 failed=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "$2"
}
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name" "failed: $*"; fi; }
say() { printf '#   %s\n' "$*"; }
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

URI=$("$PRIV" start "$PORT")
rc=$?
if [ "$rc" -eq 77 ]; then echo "1..0 # SKIP no private libvirtd here"; exit 0; fi
[ "$rc" -eq 0 ] || { echo "Bail out! private libvirtd did not start"; exit 2; }
cleanup() {
	"$PRIV" stop "$PORT" >/dev/null 2>&1
	rm -rf "$OUT"
}
trap cleanup EXIT
priv_domains() { virsh -q -c "$URI" list --all --name 2>/dev/null | grep -c '^iommulab-' || true; }
no_domain_left() { [ "$(priv_domains)" -eq 0 ]; }
# wait (up to $2 s) for a lab domain matching $1 to run and its guest to
# write to its console (started, not being created); prints its name
wait_domain() {
	i=0
	while [ "$i" -lt $(($2 * 5)) ]; do
		d=$(virsh -q -c "$URI" list --name 2>/dev/null | grep -m1 -- "$1")
		if [ -n "$d" ]; then
			for c in "$OUT"/*/*/console.log; do
				case "$d" in *"-$(basename "$(dirname "$c")")") [ -s "$c" ] && { echo "$d"; return 0; } ;; esac
			done
		fi
		sleep 0.2; i=$((i + 1))
	done
	return 1
}
# nothing lost: each finished run's run.json status is results.json's (a
# run interrupted by its lab's death writes its run.json after the lab is
# gone: it never finished, and cannot be there)
nothing_lost() { # results-dir
	for f in "$1"/*/run.json; do
		[ -e "$f" ] || continue
		run=$(basename "$(dirname "$f")")
		case "$run" in *.attempt1) continue ;; esac
		st=$(jq -r .status "$f")
		[ "$st" = interrupted ] && { say "$run: interrupted with its lab (not a finished run)"; continue; }
		jq -e --arg n "$run" --arg s "$st" '[.runs[] | select(.name == $n and .status == $s)] | length == 1' \
			"$1/results.json" >/dev/null || { say "lost: $run ($st) not in results.json"; return 1; }
	done
	return 0
}
lab_run() { # dir, then run's arguments; stdout/err to dir.out
	d=$1; shift
	"$LAB" run --jobs 1 --timeout "$TIMEOUT" --uri "$URI" --results "$d" "$@" >"$d.out" 2>&1
}
lab_bg() { # the same in the background, $! the lab's own pid
	d=$1; shift
	(exec "$LAB" run --jobs 1 --timeout "$TIMEOUT" --uri "$URI" --results "$d" "$@" >"$d.out" 2>&1) &
}

for case in $CASES; do
echo "# ---- $case"
case $case in
restart)
	say "expected: the run in flight ends infra, the lab waits, destroys the guest that outlived the daemon, retries it once (retried: 1); the next run passes"
	D=$OUT/restart
	t0=$(now)
	lab_bg "$D" --platform intel --platform amd
	lab=$!
	dom=$(wait_domain 'iommulab-intel-' 60) && sleep 4
	tk=$(now)
	"$PRIV" restart "$PORT" >/dev/null
	say "libvirtd killed $(echo "$tk $t0" | awk '{printf "%.1f", $1-$2}') s into the matrix (guest $dom), up again after $(since "$tk") s"
	wait $lab; rc=$?
	say "happened: exit $rc in $(since "$t0") s; $(grep -E 'lost under|is back|destroyed iommulab|left running' "$D.out" | sed 's/^run: //' | tr '\n' ';')"
	jq -r '.runs[] | "\(.name): \(.status) retried=\(.retried // 0) first=\(.first_attempt.status // "-")/\(.first_attempt.reason // "-")"' "$D/results.json" | sed 's/^/#   /'
	check "restart: exit 0, both runs ok" jq -e '[.runs[] | select(.status == "ok")] | length == 2' "$D/results.json"
	check "restart: the hit run was retried once, its first attempt infra" \
		jq -e '[.runs[] | select(.retried == 1 and .first_attempt.infra == true)] | length == 1' "$D/results.json"
	check "restart: results.json complete" jq -e '.complete == true' "$D/results.json"
	check "restart: nothing lost" nothing_lost "$D"
	check "restart: no lab domain left on the private libvirtd" no_domain_left
	;;
hang)
	say "expected: libvirtd hung (SIGSTOP, 45 s): the worker's calls block (keepalive does not end a call already waiting), its watchdog ends the run infra after 30 s, the lab's tries time out (10 s each), and once the daemon answers again the run is retried"
	D=$OUT/hang
	t0=$(now)
	lab_bg "$D" --platform intel
	lab=$!
	dom=$(wait_domain 'iommulab-intel-' 60) && sleep 2
	tk=$(now)
	"$PRIV" freeze "$PORT"
	i=0; while ! grep -q 'lost under' "$D.out" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	say "libvirtd stopped; the lab noticed after $(since "$tk") s"
	[ $i -lt 450 ] && sleep $(((450 - i) / 10))
	"$PRIV" thaw "$PORT"
	tt=$(now)
	wait $lab; rc=$?
	say "happened: exit $rc; thawed after $(echo "$tt $tk" | awk '{printf "%.1f", $1-$2}') s; run done $(since "$tt") s later; $(grep -E 'lost under|is back|destroyed iommulab' "$D.out" | sed 's/^run: //' | tr '\n' ';')"
	jq -r '.runs[] | "\(.name): \(.status) retried=\(.retried // 0) first=\(.first_attempt.reason // "-")"' "$D/results.json" | sed 's/^/#   /'
	check "hang: the run was retried and passed" jq -e '.runs[0].status == "ok" and .runs[0].retried == 1' "$D/results.json"
	check "hang: the first attempt says libvirt hung" jq -e '.runs[0].first_attempt.reason | test("did not answer|keepalive")' "$D/results.json"
	check "hang: nothing lost" nothing_lost "$D"
	check "hang: no lab domain left" no_domain_left
	;;
down)
	say "expected: libvirtd gone for good: after --reconnect-wait 10 s every run left ends error with one reason, exit 1; then gc destroys the guest that outlived the daemon"
	D=$OUT/down
	t0=$(now)
	lab_bg "$D" --platform intel --platform amd --reconnect-wait 10
	lab=$!
	dom=$(wait_domain 'iommulab-intel-' 60) && sleep 3
	tk=$(now)
	"$PRIV" kill "$PORT"
	wait $lab; rc=$?
	say "happened: exit $rc, $(since "$tk") s after the kill; $(grep -c '^run: .*did not come back' "$D.out") 'did not come back' message(s)"
	jq -r '.runs[] | "\(.name): \(.status): \(.reason)"' "$D/results.json" | sed 's/^/#   /'
	check "down: exit 1" [ "$rc" -eq 1 ]
	check "down: both runs error, naming the wait" \
		jq -e '[.runs[] | select(.status == "error" and (.reason | test("did not come back within 10 s")))] | length == 2' "$D/results.json"
	check "down: one message, not one per run" [ "$(grep -c '^run: .*did not come back' "$D.out")" -eq 1 ]
	check "down: nothing lost" nothing_lost "$D"
	"$PRIV" start "$PORT" >/dev/null
	left=$(priv_domains)
	"$LAB" gc --uri "$URI" --results "$OUT" >"$OUT/down-gc.out" 2>&1; grc=$?
	say "after the daemon came back: $left lab domain(s) left running; gc (exit $grc): $(tail -n 1 "$OUT/down-gc.out")"
	sed 's/^/#     /' "$OUT/down-gc.out" | grep -v '^#     kept.*worker' | head -n 8
	check "down: gc exit 0 and no lab domain left" sh -c "[ $grc -eq 0 ] && [ \$(virsh -q -c '$URI' list --name | grep -c '^iommulab-') -eq 0 ]"
	;;
qemu)
	say "expected: the killed guest's run is crashed with libvirt's reason, the next run goes on"
	D=$OUT/qemu
	lab_bg "$D" --platform intel --platform amd
	lab=$!
	dom=$(wait_domain 'iommulab-intel-' 60) && sleep 3
	q=$(pgrep -f "guest=$dom,")
	[ -n "$q" ] && kill -9 $q
	wait $lab; rc=$?
	say "killed QEMU $q ($dom); exit $rc"
	jq -r '.runs[] | "\(.name): \(.status): \(.reason)"' "$D/results.json" | sed 's/^/#   /'
	check "qemu: that run is crashed, with libvirt's reason" \
		jq -e '.runs[] | select(.name == "intel@bookworm") | .status == "crashed" and (.reason | test("libvirt: stopped"))' "$D/results.json"
	check "qemu: the next run passes" jq -e '.runs[] | select(.name == "amd@bookworm") | .status == "ok"' "$D/results.json"
	check "qemu: nothing lost" nothing_lost "$D"
	check "qemu: no lab domain left" no_domain_left
	;;
sigkill)
	say "expected: results.json holds every run finished before the SIGKILL (complete: false); the workers stop their guests (parent-death signal); gc then finds nothing live of that lab"
	D=$OUT/sigkill
	lab_bg "$D" --platform intel --platform amd
	lab=$!
	wait_domain 'iommulab-amd-' 120 >/dev/null && sleep 3
	kill -9 $lab; wait $lab 2>/dev/null
	tk=$(now)
	i=0; while [ "$(priv_domains)" -gt 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	say "lab SIGKILLed during amd; its domains gone $(since "$tk") s later (left: $(priv_domains))"
	jq -r '"results.json: complete=\(.complete) runs=\(.runs | length) pending=\(.pending)"' "$D/results.json" | sed 's/^/#   /'
	check "sigkill: results.json kept the finished run, marked incomplete" \
		jq -e '.complete == false and ([.runs[] | select(.name == "intel@bookworm")] | length == 1)' "$D/results.json"
	check "sigkill: nothing lost" nothing_lost "$D"
	"$LAB" gc --dry-run --uri "$URI" --results "$OUT" >"$OUT/gc-dry.out" 2>&1; drc=$?
	"$LAB" gc --uri "$URI" --results "$OUT" >"$OUT/gc.out" 2>&1; grc=$?
	"$LAB" gc --uri "$URI" --results "$OUT" >"$OUT/gc2.out" 2>&1
	say "gc --dry-run (exit $drc): $(tail -n 1 "$OUT/gc-dry.out"); gc (exit $grc): $(tail -n 1 "$OUT/gc.out"); again: $(tail -n 1 "$OUT/gc2.out")"
	grep -v 'kept.*worker' "$OUT/gc.out" | sed 's/^/#     /' | head -n 8
	check "sigkill: gc exit 0, a second gc removes nothing" sh -c "[ $grc -eq 0 ] && grep -q '^gc: 0 removed' '$OUT/gc2.out'"
	check "sigkill: no lab domain, no stale worker of that lab" sh -c "[ \$(virsh -q -c '$URI' list --name | grep -c '^iommulab-') -eq 0 ]"
	;;
concurrent)
	D=$OUT/concA
	if [ "${LAB_FAULTS_ONE_GUEST:-0}" = 1 ]; then
		say "expected (one guest at a time): a second lab on the same daemon (its run skipped) and a gc during the first lab's run leave the first lab's guest alone"
		lab_bg "$D" --platform intel --platform amd
		lab=$!
		dom=$(wait_domain 'iommulab-intel-' 60)
		lab_run "$OUT/concB" --platform virtio; brc=$?
		"$LAB" gc --uri "$URI" --results "$OUT" >"$OUT/conc-gc.out" 2>&1
		say "second lab exit $brc; gc during the first: $(tail -n 1 "$OUT/conc-gc.out")"
		grep "$dom" "$OUT/conc-gc.out" | sed 's/^/#     /'
		check "concurrent: gc kept the live lab's guest" grep -q "^kept .*$dom" "$OUT/conc-gc.out"
		wait $lab; rc=$?
	else
		say "expected: two matrices at once on one daemon: no collision, both complete"
		lab_bg "$D" --platform intel --platform amd; a=$!
		lab_bg "$OUT/concB" --platform intel --platform amd; b=$!
		wait $a; rc=$?; wait $b; brc=$?
		say "exits $rc and $brc"
		check "concurrent: the second matrix passed too" [ "$brc" -eq 0 ]
		check "concurrent: nothing lost (second)" nothing_lost "$OUT/concB"
	fi
	check "concurrent: the first matrix passed" [ "$rc" -eq 0 ]
	check "concurrent: nothing lost (first)" nothing_lost "$D"
	check "concurrent: no lab domain left" no_domain_left
	;;
hostile)
	say "expected: 200 hostile lines and a 9 MiB line on the agent channel: the 160 malformed ones and the oversized one counted (161), the 40 well-formed replies to no request ignored; the run ends ok"
	D=$OUT/hostile
	t0=$(now)
	lab_run "$D" --platform intel --append "iommulab.garbage=200 iommulab.flood=9"; rc=$?
	g=$(jq -r '.runs[0].agent_garbage_lines // empty' "$D/results.json" 2>/dev/null)
	[ -n "$g" ] || g=$(jq -r .agent_garbage_lines "$D/intel@bookworm/run.json")
	say "happened: exit $rc in $(since "$t0") s, status $(jq -r '.runs[0].status' "$D/results.json"), agent_garbage_lines $g"
	if [ "$g" = 0 ]; then
		not_ok "hostile: garbage counted" "no garbage at all: the guest image predates the test agent (rebuild: make images)"
	else
		check "hostile: the run is ok" jq -e '.runs[0].status == "ok"' "$D/results.json"
		check "hostile: 160 malformed lines and the oversized one counted (161)" [ "$g" -eq 161 ]
	fi
	check "hostile: nothing lost" nothing_lost "$D"
	;;
diskfull)
	say "expected: the disk fills up mid-matrix (a 1 MiB tmpfs filled once the first run is saved): a clear error naming the file, no .tmp left, results.json still the last whole one (complete: false, the first run)"
	D=$OUT/full
	mkdir -p "$D"
	unshare -m --propagation private sh -c '
		log=$1 dir=$2; shift 2
		mount -t tmpfs -o size=1m,mode=0755 none "$dir" || exit 77
		("$@" --results "$dir/r" >"$log" 2>&1; echo "exit $?" >>"$log") &
		i=0
		until jq -e ".runs | length == 1" "$dir/r/results.json" >/dev/null 2>&1; do
			sleep 0.1; i=$((i + 1)); [ $i -gt 3000 ] && break
		done
		dd if=/dev/zero of="$dir/filler" bs=4k >/dev/null 2>&1
		echo "filled after $((i / 10)) s" >>"$log.fill"
		wait
		cp "$dir/r/results.json" "$log.results" 2>/dev/null
		find "$dir" -name "*.tmp" >"$log.tmps"
	' sh "$OUT/full.log" "$D" "$LAB" run --jobs 1 --timeout "$TIMEOUT" --uri "$URI" --platform intel --platform amd
	say "happened: $(cat "$OUT/full.log.fill" 2>/dev/null); $(grep -E 'No space|^exit' "$OUT/full.log" | head -n 4 | tr '\n' ';')"
	check "diskfull: the error names results.json and the cause" grep -q 'results.json.*No space left on device' "$OUT/full.log"
	check "diskfull: exit 2" grep -q '^exit 2' "$OUT/full.log"
	check "diskfull: no .tmp left behind" sh -c "[ -e '$OUT/full.log.tmps' ] && [ ! -s '$OUT/full.log.tmps' ]"
	check "diskfull: results.json is the last whole one: complete false, the first run" \
		jq -e '.complete == false and (.runs | length) == 1' "$OUT/full.log.results"
	;;
esac
done
echo "faults: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# make fuzz / fuzz-quick: a seed corpus from every capture in pcaps/, a bounded
# libFuzzer run on the user-space parser, then the differential check
# (BPF_PROG_TEST_RUN against the user-space build) over the seeds, the corpus
# the fuzzer grew and anything it found. Usage: ci/fuzz.sh BUILD_DIR SECONDS
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
SECS=${2:-300}
D=$B/fuzz
rm -rf "$D/seed"
mkdir -p "$D/seed" "$D/corpus" "$D/findings"
"$B/xdpcount-seed" "$D/seed" pcaps/*.pcap pcaps/*.pcapng || exit 2

# The first directory is where new inputs go; the seeds are only read.
"$D/fuzz_parse" -max_total_time="$SECS" -timeout=10 -print_final_stats=1 \
	-artifact_prefix="$D/findings/" "$D/corpus" "$D/seed" >"$D/fuzz.log" 2>&1
fuzz_rc=$?
grep -E 'INITED|DONE|ERROR|SUMMARY|fuzz_parse:' "$D/fuzz.log"
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$D/fuzz.log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$D/fuzz.log")
findings=$(find "$D/findings" -type f | wc -l)
echo "fuzz: ${SECS} s, ${execs:-?} executions (${rate:-?}/s)," \
	"corpus $(ls "$D/corpus" | wc -l) inputs, ${findings} findings in $D/findings"

"$B/xdpcount-diff" "$D/seed" "$D/corpus" "$D/findings"
diff_rc=$?
if [ "$fuzz_rc" -ne 0 ] || [ "$findings" -ne 0 ]; then
	echo "fuzz: the fuzzer failed (exit $fuzz_rc); see $D/fuzz.log" >&2
	exit 1
fi
exit "$diff_rc"

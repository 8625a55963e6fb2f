#!/bin/bash
# The CLI's offline mode under valgrind: a whole capture and every error path.
# Each run must exit as it does without valgrind, with no memory error and no
# leak (valgrind's own exit code 99 means it found one; it also counts the
# leaks that --leak-check=full reports as definite or possible). ci/valgrind.supp holds
# only what is libbpf's. Usage: ci/valgrind.sh [BUILD_DIR]
set -uo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}
BIN=$B/xdpcount
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
: >"$TMP/empty"
head -c 90 pcaps/mix.pcap >"$TMP/cut-record.pcap" # inside the first record

# name, then the CLI's arguments
CASES=(
	"mix|-r pcaps/mix.pcap --json"
	"mix-text|-r pcaps/mix.pcap --text"
	"pcapng|-r pcaps/mix.pcapng --json"
	"truncated|-r pcaps/truncated.pcap --json"
	"missing-file|-r $TMP/no-such-file.pcap"
	"corrupt|-r pcaps/corrupt.pcap"
	"not-ethernet|-r pcaps/not_ethernet.pcap"
	"empty-file|-r $TMP/empty"
	"dev-null|-r /dev/null"
	"directory|-r pcaps"
	"cut-in-record|-r $TMP/cut-record.pcap"
	"bad-option|-r pcaps/mix.pcap --top 0"
	"several|-r pcaps/mix.pcap -r pcaps/snaplen.pcap -r pcaps/big_frames.pcap --json"
	"several-text|-r pcaps/mix.pcap -r pcaps/truncated.pcap --text"
	"damaged|-r pcaps/damaged.pcapng --json"
	"live-only-option|-r pcaps/mix.pcap -i 1"
)

failed=0
for c in "${CASES[@]}"; do
	name=${c%%|*}
	read -r -a args <<<"${c#*|}"
	"$BIN" "${args[@]}" >/dev/null 2>&1
	want=$?
	valgrind -q --error-exitcode=99 --leak-check=full --suppressions=ci/valgrind.supp \
		--log-file="$TMP/$name.log" "$BIN" "${args[@]}" >/dev/null 2>&1
	got=$?
	if [ "$got" -ne "$want" ] || [ "$got" -eq 99 ]; then
		echo "valgrind: $name: exit $got (without valgrind $want)"
		# valgrind notes the bpf() commands it does not model: not errors
		grep -v 'WARNING: unhandled eBPF command' "$TMP/$name.log"
		failed=1
	else
		echo "valgrind: $name: exit $got, clean"
	fi
done
exit $failed

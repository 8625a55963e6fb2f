#!/bin/bash
# Reliability checks for CI (issue 6), after `make test`: the whole suite on
# the ASan+UBSan build, a bounded fuzzing run with its differential check, the
# offline CLI under valgrind, and a fixed sample of the parser's mutants. Each
# step reports; the script fails if any did.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=0
for step in "make test-san" "make fuzz-quick" "make valgrind" "make mutate-quick"; do
	echo "== $step"
	start=$(date +%s)
	$step || { echo "== $step: FAILED"; failed=1; }
	echo "== $step: $(( $(date +%s) - start )) s"
done
exit $failed

#!/usr/bin/env bash
# tests/e2e/run.sh STACK_DIR BUILD_DIR [TEST...] — the end-to-end tests:
# every tests/e2e/t_*.sh (or only the named ones, e.g. t_health) against a
# running stack, through nginx over HTTPS.
#
# The stack must be up with the application started (tests/run.sh does
# `deploy/stack.sh up`, migrates and `start-app`s before calling this).
# Each file runs in its own bash process with STACK_DIR, BUILD_DIR,
# HTTPS_PORT, HTTP_PORT, BASE and ROOT exported, and prints one line per
# assertion ("ok NAME" / "FAIL NAME: why", see lib.sh). Files run in name
# order; t_zz_pool.sh stops and restarts the pool, so it comes last.
#
# After each file the stack must answer /readyz with 200 again; a file that
# leaves a dependency stopped is repaired (redis-start, pg-start, start-app)
# so the next file starts from a healthy stack, and a stack that cannot be
# repaired counts as a failure.
#
# The last line is exactly "e2e: N passed, M failed" (tests/run.sh reads
# it); the exit status is 0 only when nothing failed.
set -uo pipefail

usage() {
	echo "usage: tests/e2e/run.sh STACK_DIR BUILD_DIR [t_NAME...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=$(realpath -m -- "$1")
BUILD_DIR=$(realpath -m -- "$2")
shift 2
# one file may not hang the suite (t_zz_pool.sh waits for a drain)
FILE_TIMEOUT=${E2E_FILE_TIMEOUT:-300}

PASSED=0
FAILED=0

summary() {
	echo "e2e: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
}

# A failure of the harness itself (no stack, no curl) still ends with the
# summary line, so the caller counts it.
harness_fail() {
	printf 'FAIL e2e: %s\n' "$1"
	FAILED=$((FAILED + 1))
}

command -v curl >/dev/null || { harness_fail "curl is missing (run: deploy/stack.sh deps)"; summary; }
[ -f "$STACK_DIR/stack.env" ] || { harness_fail "no stack in $STACK_DIR"; summary; }

env_lines=$("$ROOT/deploy/stack.sh" env "$STACK_DIR") || { harness_fail "deploy/stack.sh env failed"; summary; }
eval "$env_lines"
# the application refuses REVENGE_* variables that are not settings
unset REVENGE_STACK_DIR REVENGE_CONFIG
BASE="https://localhost:$HTTPS_PORT"
export ROOT STACK_DIR BUILD_DIR HTTPS_PORT HTTP_PORT BASE

ready() {
	[ "$(curl -sk --max-time 3 -o /dev/null -w '%{http_code}' "$BASE/readyz" 2>/dev/null)" = 200 ]
}

# wait_ready SECONDS
wait_ready() {
	local n=$(($1 * 10))
	while [ "$n" -gt 0 ]; do
		ready && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# Bring back whatever a test left stopped. Every step is a no-op when the
# part runs already.
repair() {
	local s=$ROOT/deploy/stack.sh
	"$s" redis-start "$STACK_DIR" >/dev/null 2>&1
	"$s" pg-start "$STACK_DIR" >/dev/null 2>&1
	"$s" start-app "$STACK_DIR" "$BUILD_DIR" >/dev/null 2>&1
	wait_ready 10
}

if ! wait_ready 15; then
	if ! repair; then
		harness_fail "the stack in $STACK_DIR does not answer $BASE/readyz with 200"
		summary
	fi
fi

files=()
if [ $# -gt 0 ]; then
	for t in "$@"; do
		t=${t%.sh}
		[ -f "$ROOT/tests/e2e/$t.sh" ] || { harness_fail "no test file tests/e2e/$t.sh"; continue; }
		files+=("$ROOT/tests/e2e/$t.sh")
	done
else
	files=("$ROOT"/tests/e2e/t_*.sh)
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "${files[@]}"; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	echo "# $name"
	timeout -k 10 "$FILE_TIMEOUT" bash "$t" 2>&1 </dev/null | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		harness_fail "$name did not finish within ${FILE_TIMEOUT} s"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		harness_fail "$name exited with status $rc without reporting a failure"
	elif [ $((p + f)) -eq 0 ]; then
		harness_fail "$name made no assertions"
	fi
	if ! wait_ready 5; then
		echo "# $name left the stack not ready; restarting what is stopped"
		repair || harness_fail "the stack is not ready after $name and could not be repaired"
	fi
done

summary

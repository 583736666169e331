#!/usr/bin/env bash
# tests/bench/web.sh BUILD_DIR — the web client's first-load budget (issue
# 16): compressed JavaScript sent on a cold first load, and the time until
# the page is interactive (the login page; the signed-in home page and its
# first poster row), each the median of BENCH_WEB_RUNS cold loads in
# Debian's Chromium through the whole local stack (nginx over TLS, the
# FastCGI pool, PostgreSQL, Redis) with the demo libraries of `make run`.
# Printed, never asserted: the exit status is 1 only when it could not run.
#
# Environment (all optional):
#   BENCH_WEB_DIR    stack directory (default BUILD_DIR/bench-web-stack)
#   BENCH_WEB_HTTPS_PORT  BENCH_WEB_HTTP_PORT   ports (default 19470 / 19096)
#   BENCH_WEB_RUNS   cold loads per figure (default 7)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/bench/web.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$ROOT" && realpath -m -- "$1")
STACK=$(realpath -m -- "${BENCH_WEB_DIR:-$BUILD/bench-web-stack}")
HTTPS_PORT=${BENCH_WEB_HTTPS_PORT:-19470}
HTTP_PORT=${BENCH_WEB_HTTP_PORT:-19096}
cd "$ROOT" || exit 1

cleanup() { deploy/stack.sh destroy "$STACK" >/dev/null 2>&1 || true; }
trap cleanup EXIT
cleanup
echo "== web client first load (median of ${BENCH_WEB_RUNS:-7} cold loads, Chromium headless)"
REVENGE_DEMO=1 deploy/stack.sh run "$STACK" "$BUILD" --https-port "$HTTPS_PORT" --http-port "$HTTP_PORT" \
	>"$BUILD/bench-web.log" 2>&1 || {
	echo "bench-web: the stack did not start (see $BUILD/bench-web.log)" >&2
	exit 1
}
out=$(BUDGET_RUNS=${BENCH_WEB_RUNS:-7} BROWSER_TESTS='t_90_budget' BROWSER_SHOTS="$BUILD/bench-web-shots" \
	node tests/browser/run.mjs "https://localhost:$HTTPS_PORT" "$STACK" 2>&1)
printf '%s\n' "$out" | grep -E '^budget:|^not ok' || { printf '%s\n' "$out" | tail -5; exit 1; }
# the ceiling: nginx serving index.html and the bundle, as bytes on the wire
js=$(ls "$STACK"/www/assets/*.js 2>/dev/null | head -1)
if [ -n "$js" ]; then
	printf 'bundle: %s bytes raw, %s bytes gzip -9, on disk in %s\n' \
		"$(stat -c %s "$js")" "$(gzip -9c "$js" | wc -c)" "${js#"$STACK"/}"
fi

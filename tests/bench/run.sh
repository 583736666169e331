#!/usr/bin/env bash
# tests/bench/run.sh BUILD_DIR — throughput and latency of the FastCGI path
# against nginx serving a static file, and the pool's memory. Printed,
# never asserted: the exit status is 0 whatever the numbers are (1 only
# when the benchmark could not run at all). What is measured and why:
# tests/bench/README.md.
#
# Environment (all optional):
#   BENCH_DIR         stack directory (default BUILD_DIR/bench-stack)
#   BENCH_HTTPS_PORT  BENCH_HTTP_PORT   ports (default 19443 / 19080)
#   BENCH_DURATION    seconds per measured run (default 10)
#   BENCH_WARMUP      seconds of warm-up before each run (default 2)
#   BENCH_THREADS     BENCH_CONNECTIONS  wrk -t / -c (default 2 / 32)
#   BENCH_POOL_SIZE   server.pool_size (default 2 x CPU cores)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/bench/run.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$ROOT" && realpath -m -- "$1")
STACK=$(realpath -m -- "${BENCH_DIR:-$BUILD/bench-stack}")
HTTPS_PORT=${BENCH_HTTPS_PORT:-19443}
HTTP_PORT=${BENCH_HTTP_PORT:-19080}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
CORES=$(nproc 2>/dev/null || echo 1)
POOL=${BENCH_POOL_SIZE:-$((2 * CORES))}
BASE="https://localhost:$HTTPS_PORT"
STATIC_NAME=bench-static.json

# targets (reported, not enforced)
TARGET_RATIO_PCT=40
TARGET_RSS_KB=$((8 * 1024))

. "$ROOT/tests/bench/lib.sh"

die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}

for c in wrk curl; do
	command -v "$c" >/dev/null || die "$c is missing (run: deploy/stack.sh deps)"
done
for b in revenge revenge-fcgi revenge-worker; do
	[ -x "$BUILD/$b" ] || die "$BUILD/$b not found (run: make)"
done

trap bench_teardown EXIT
trap 'exit 130' INT TERM

# --- stack ----------------------------------------------------------------------------
bench_stack_up
bench_start_app

# The static file: byte for byte the body /healthz returns, so both runs
# move the same payload and differ only in who produces it.
curl -sk -o "$STACK/www/$STATIC_NAME" "$BASE/healthz" || die "cannot fetch /healthz"
dyn_size=$(stat -c %s "$STACK/www/$STATIC_NAME")
static_size=$(curl -sk -o /dev/null -w '%{size_download}' "$BASE/$STATIC_NAME")
[ "$static_size" = "$dyn_size" ] ||
	die "static file is served with $static_size bytes, /healthz with $dyn_size"

# --- measuring -------------------------------------------------------------------------

# run NAME PATH [wrk options]: wrk_run at $CONNS connections
run() {
	local name=$1 path=$2
	shift 2
	wrk_run "$name" "$path" "$CONNS" "$@"
}

run "FastCGI /healthz" /healthz
fcgi_rps=$RPS fcgi_p50=$P50 fcgi_p99=$P99 fcgi_errs=$ERRS
run "static file" "/$STATIC_NAME"
static_rps=$RPS static_p50=$P50 static_p99=$P99 static_errs=$ERRS
# not part of the ratio: what one PostgreSQL and one Redis round trip per
# request cost, and it makes the children touch libpq before their RSS is read
if [ "${BENCH_READYZ:-1}" = 1 ]; then
	run "FastCGI /readyz" /readyz
	ready_rps=$RPS ready_p50=$P50 ready_p99=$P99 ready_errs=$ERRS
fi

# authenticated reads: GET /api/v1/users/me with a bearer token, first with
# the Redis session and permission caches, then with Redis stopped (every
# request resolves the session and permissions in PostgreSQL)
if [ "${BENCH_AUTH:-1}" = 1 ]; then
	curl -sk -o /dev/null -H 'Content-Type: application/json' "$BASE/api/v1/auth/register" \
		--data '{"username":"benchuser","email":"bench@example.com","password":"bench-password"}'
	token=$(curl -sk -H 'Content-Type: application/json' "$BASE/api/v1/auth/login" \
		--data '{"username":"benchuser","password":"bench-password"}' |
		sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
	[ -n "$token" ] || die "could not log in the bench user"
	run "GET /users/me (Redis cache)" /api/v1/users/me -H "Authorization: Bearer $token"
	me_rps=$RPS me_p50=$P50 me_p99=$P99 me_errs=$ERRS
	"$S" redis-stop "$STACK" >/dev/null
	run "GET /users/me (Redis stopped)" /api/v1/users/me -H "Authorization: Bearer $token"
	mepg_rps=$RPS mepg_p50=$P50 mepg_p99=$P99 mepg_errs=$ERRS
	"$S" redis-start "$STACK" >/dev/null
fi

master=$(head -c 32 "$STACK/run/fcgi.pid" | tr -dc 0-9)
kids=$(cat "/proc/$master/task/$master/children" 2>/dev/null)

# --- report ----------------------------------------------------------------------------
verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }

ratio_pct=$(awk -v a="$fcgi_rps" -v b="$static_rps" 'BEGIN { printf "%.1f", (b > 0) ? 100 * a / b : 0 }')
ratio_ok=$(awk -v r="$ratio_pct" -v t="$TARGET_RATIO_PCT" 'BEGIN { print (r >= t) ? 1 : 0 }')

echo
echo "Revenge benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $CORES cores, pool_size $POOL,"
echo "wrk $THREADS threads / $CONNS connections, HTTPS keep-alive (HTTP/1.1), ${DURATION}s after ${WARMUP}s warm-up,"
echo "response body $dyn_size bytes in both cases"
echo
printf '%-30s %12s %10s %10s %8s\n' "endpoint" "req/s" "p50 ms" "p99 ms" "errors"
printf '%-30s %12s %10s %10s %8s\n' "--------" "-----" "------" "------" "------"
printf '%-30s %12s %10s %10s %8s\n' "(a) /healthz nginx->FastCGI" "$fcgi_rps" "$fcgi_p50" "$fcgi_p99" "$fcgi_errs"
printf '%-30s %12s %10s %10s %8s\n' "(b) static file, nginx only" "$static_rps" "$static_p50" "$static_p99" "$static_errs"
[ -z "${ready_rps:-}" ] ||
	printf '%-30s %12s %10s %10s %8s\n' "(c) /readyz (+PG, +Redis)" "$ready_rps" "$ready_p50" "$ready_p99" "$ready_errs"
if [ -n "${me_rps:-}" ]; then
	printf '%-30s %12s %10s %10s %8s\n' "(d) /users/me, Redis cache" "$me_rps" "$me_p50" "$me_p99" "$me_errs"
	printf '%-30s %12s %10s %10s %8s\n' "(e) /users/me, Redis stopped" "$mepg_rps" "$mepg_p50" "$mepg_p99" "$mepg_errs"
fi
echo "(rate limits off for every run)"
echo
printf 'throughput (a)/(b): %s %%   (target >= %s %%: %s)\n' \
	"$ratio_pct" "$TARGET_RATIO_PCT" "$(verdict "$ratio_ok")"
if [ -n "${me_rps:-}" ]; then
	me_pct=$(awk -v a="$me_rps" -v b="$fcgi_rps" 'BEGIN { printf "%.1f", (b > 0) ? 100 * a / b : 0 }')
	me_ok=$(awk -v r="$me_pct" 'BEGIN { print (r >= 70) ? 1 : 0 }')
	printf 'throughput (d)/(a): %s %%   (target >= 70 %%: %s)\n' "$me_pct" "$(verdict "$me_ok")"
fi
if [ "$fcgi_errs" != 0 ] || [ "$static_errs" != 0 ]; then
	echo "note: wrk counted errors or non-2xx answers; the throughput figures are not comparable"
fi
echo
echo "memory after the runs (VmRSS now, VmHWM peak; anon = private heap/stack, file = shared code):"
printf '%-10s %10s %10s %10s %10s   %s\n' "process" "VmRSS" "VmHWM" "anon" "file" "RSS target <= $((TARGET_RSS_KB / 1024)) MiB"
# mem PID: "rss hwm anon file" in KiB
mem() {
	awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
		END { if (r != "") print r, h, a, f }' "/proc/$1/status" 2>/dev/null
}
row() {
	printf '%-10s %7s KiB %6s KiB %6s KiB %6s KiB   %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
read -r r h a f <<<"$(mem "$master")"
row master "$r" "$h" "$a" "$f" "(pid $master; not a request process)"
n=0
for k in $kids; do
	m=$(mem "$k")
	[ -n "$m" ] || continue
	read -r r h a f <<<"$m"
	n=$((n + 1))
	row "child $n" "$r" "$h" "$a" "$f" "$(verdict "$([ "$r" -le "$TARGET_RSS_KB" ] && echo 1)")"
done
[ "$n" -gt 0 ] || echo "(no children found under master $master)"
exit 0

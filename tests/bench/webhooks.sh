#!/usr/bin/env bash
# tests/bench/webhooks.sh BUILD_DIR — Radarr webhooks under load: wrk posts
# MovieAdded webhooks (tests/bench/webhooks.lua, each for a new folder, with
# HTTP basic auth as Radarr sends it) through nginx to the pool for
# BENCH_DURATION seconds, and the database is then checked for loss: every
# body answered 202 must be a receipt and a path hint, and nothing else.
# Target (issue 17): 1 000 posts per second accepted without loss, at 32
# connections on 2 cores. Printed, never asserted (exit 1 only when it
# could not run).
#
# Environment: BENCH_WEBHOOKS_DIR (default BUILD_DIR/bench-webhooks-stack),
# BENCH_WEBHOOKS_HTTPS_PORT / _HTTP_PORT (19445 / 19082), BENCH_DURATION
# (10), BENCH_WARMUP (2), BENCH_THREADS / BENCH_CONNECTIONS (2 / 32),
# BENCH_POOL_SIZE (2 x cores).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/bench/webhooks.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$ROOT" && realpath -m -- "$1")
STACK=$(realpath -m -- "${BENCH_WEBHOOKS_DIR:-$BUILD/bench-webhooks-stack}")
HTTPS_PORT=${BENCH_WEBHOOKS_HTTPS_PORT:-19445}
HTTP_PORT=${BENCH_WEBHOOKS_HTTP_PORT:-19082}
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-2}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
CORES=$(nproc 2>/dev/null || echo 1)
POOL=${BENCH_POOL_SIZE:-$((2 * CORES))}
BASE="https://localhost:$HTTPS_PORT"
TARGET_RPS=1000

. "$ROOT/tests/bench/lib.sh"
die() {
	printf 'bench: %s\n' "$*" >&2
	exit 1
}
for c in wrk curl jq psql; do
	command -v "$c" >/dev/null || die "$c is missing (run: deploy/stack.sh deps)"
done
[ "${BENCH_KEEP:-0}" = 1 ] || trap bench_teardown EXIT
trap 'exit 130' INT TERM

bench_stack_up
mkdir -p "$STACK/media/movies"
bench_start_app
eval "$("$S" env "$STACK")"
sql() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
ADMIN_PW=bench-admin-password-long
printf %s "$ADMIN_PW" | env -u REVENGE_STACK_DIR -u REVENGE_CONFIG -u REVENGE_DEMO "$BUILD/revenge" \
	--config "$STACK/revenge.conf" create-admin --username benchadmin \
	--email benchadmin@example.com --password-stdin >/dev/null 2>&1 ||
	die "revenge create-admin failed"
token=$(curl -sk -H 'Content-Type: application/json' "$BASE/api/v1/auth/login" \
	--data "{\"username\":\"benchadmin\",\"password\":\"$ADMIN_PW\"}" | jq -r '.access_token // empty')
[ -n "$token" ] || die "could not log in the bench admin"
api() { # api METHOD PATH JSON -> body
	curl -sk -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		--data "$3" "$BASE$2"
}
api POST /api/v1/libraries "$(jq -cn --arg r "$STACK/media/movies" \
	'{name: "Bench", type: "movie", paths: [$r]}')" | jq -e .id >/dev/null ||
	die "could not create the library"
secret=$(api PUT /api/v1/admin/integrations/radarr "$(jq -cn --arg l "$STACK/media/movies" \
	'{path_map: [{remote: "/data/movies", local: $l}]}')" | jq -r '.webhook_secret // empty')
[ -n "$secret" ] || die "could not set up Radarr"
export BENCH_BASIC
BENCH_BASIC=$(printf 'radarr:%s' "$secret" | base64 -w0)

# warm-up, then the measured run with its own folder names
BENCH_RUN=w wrk -t "$THREADS" -c "$CONNS" -d "${WARMUP}s" -s "$ROOT/tests/bench/webhooks.lua" \
	"$BASE/" >/dev/null 2>&1
before=$(sql -c "SELECT count(*) FROM webhook_receipts")
hints_before=$(sql -c "SELECT count(*) FROM path_hints")
echo "bench: webhooks: ${DURATION}s, $THREADS threads, $CONNS connections" >&2
out=$(BENCH_RUN=m wrk -t "$THREADS" -c "$CONNS" -d "${DURATION}s" --latency \
	-s "$ROOT/tests/bench/webhooks.lua" "$BASE/" 2>&1)
rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
p99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2; exit }')")
accepted=$(printf '%s\n' "$out" | awk '/^webhooks:/ { print $2 }')
refused=$(printf '%s\n' "$out" | awk '/^webhooks:/ { print $4 }')
printf '%s\n' "$out" | grep '^refused:' | head -3 | sed 's/^/bench: /' >&2
[ -n "$rps" ] && [ -n "$accepted" ] || { printf '%s\n' "$out" >&2; die "wrk gave no result"; }
# wrk stops mid-request at the end of the run: a request the server
# finished after wrk hung up is written but not counted as accepted
sleep 1
receipts=$(($(sql -c "SELECT count(*) FROM webhook_receipts") - before))
hints=$(($(sql -c "SELECT count(*) FROM path_hints") - hints_before))
lost=$((accepted - receipts))
[ "$lost" -ge 0 ] || lost=0
acc_rps=$(awk -v a="$accepted" -v d="$DURATION" 'BEGIN { printf "%.0f", a / d }')
verdict=ok
[ "$acc_rps" -ge "$TARGET_RPS" ] && [ "$lost" -eq 0 ] && [ "$refused" -eq 0 ] || verdict=MISSED

printf '\n%-34s %10s %10s %10s %10s %10s %9s\n' "webhooks (cache n/a, 2 cores)" "req/s" "p99 ms" \
	"accepted" "receipts" "hints" "lost"
printf '%-34s %10s %10s %10s %10s %10s %9s\n' "Radarr MovieAdded, basic auth" "$rps" "$p99" \
	"$accepted" "$receipts" "$hints" "$lost"
printf 'target: >= %d accepted/s without loss: %s/s accepted, %s refused, %s lost: %s\n' \
	"$TARGET_RPS" "$acc_rps" "$refused" "$lost" "$verdict"
exit 0

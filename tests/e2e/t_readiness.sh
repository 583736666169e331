#!/usr/bin/env bash
# Readiness follows the dependencies: with Redis or PostgreSQL stopped,
# /readyz answers 503 naming the one that is unreachable while /healthz
# stays 200; once it is back, every child of the pool reconnects on its own
# and /readyz is 200 again within 5 s.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STACK=$ROOT/deploy/stack.sh
# whatever happens below, the next test file gets its dependencies back
trap '"$STACK" redis-start "$STACK_DIR" >/dev/null 2>&1; "$STACK" pg-start "$STACK_DIR" >/dev/null 2>&1; rm -rf "$E2E_TMP"' EXIT

POOL=$(conf_value server pool_size 4)

# burst_ready: 2 x pool_size concurrent /readyz all answer 200. Concurrent
# requests spread over the children, so a child that has not reconnected
# shows up as a 503 here.
burst_ready() {
	local i codes
	codes=$(
		for ((i = 0; i < 2 * POOL; i++)); do
			curl -sk --max-time 5 -o /dev/null -w '%{http_code}\n' "$BASE/readyz" &
		done
		wait
	)
	[ -z "$(printf '%s\n' "$codes" | grep -v '^200$')" ]
}

# recovered: three bursts in a row, all 200.
recovered() { burst_ready && burst_ready && burst_ready; }

# metric NAME: a sample's value from /metrics.
metric() {
	curl -sk --max-time 5 "$BASE/metrics" | awk -v want="$1" '$1 == want { print $2; exit }'
}

# outage NAME DOWN_KEY UP_KEY: the checks while one dependency is stopped.
outage() {
	local name=$1 down=$2 up=$3
	# the first request after the stop may still find the old connection
	# usable for a moment; the state must settle within 2 s
	wait_for 2 eval '[ "$(curl -sk -o /dev/null -w "%{http_code}" "$BASE/readyz")" = 503 ]'
	http GET /readyz
	check_problem "$name: readyz" 503 unavailable
	check_json "$name: readyz names $down" "$down" '"unreachable"'
	check_json "$name: readyz keeps $up" "$up" '"ok"'
	http GET /healthz
	check_status "$name: healthz stays 200" 200
	check_body "$name: healthz body" '{"status":"ok"}'
	http GET /api/v1/system/info
	check_status "$name: routes without the dependency keep working" 200
}

# back NAME: /readyz recovers within 5 s of the restart.
back() {
	local name=$1 t0=$SECONDS
	if wait_for 5 recovered; then
		ok "$name: readyz 200 from every child within 5 s"
	else
		http GET /readyz
		fail "$name: readyz 200 from every child within 5 s" \
			"still not ready after $((SECONDS - t0)) s: $RES_STATUS $RES_BODY"
	fi
	http GET /readyz
	check_json "$name: database ok" database '"ok"'
	check_json "$name: redis ok" redis '"ok"'
	check_json "$name: migrations ok" migrations '"ok"'
}

check_true "ready before the outages" "readyz is not 200 at the start" burst_ready

# --- Redis ---------------------------------------------------------------------------
errs=$(metric revenge_redis_errors_total)
check_true "redis-stop" "deploy/stack.sh redis-stop failed" "$STACK" redis-stop "$STACK_DIR"
outage "redis down" redis database
check_ge "redis down: revenge_redis_errors_total grows" "$(( $(metric revenge_redis_errors_total) - ${errs:-0} ))" 1
check_true "redis-start" "deploy/stack.sh redis-start failed" "$STACK" redis-start "$STACK_DIR"
back "redis back"

# --- PostgreSQL, fast shutdown (sessions are told to go) --------------------------------
errs=$(metric revenge_db_errors_total)
check_true "pg-stop" "deploy/stack.sh pg-stop failed" "$STACK" pg-stop "$STACK_DIR"
outage "postgresql down" database redis
check_ge "postgresql down: revenge_db_errors_total grows" "$(( $(metric revenge_db_errors_total) - ${errs:-0} ))" 1
check_true "pg-start" "deploy/stack.sh pg-start failed" "$STACK" pg-start "$STACK_DIR"
back "postgresql back"

# --- PostgreSQL, immediate shutdown (connections just break, crash recovery) ----------------
check_true "pg-stop --immediate" "deploy/stack.sh pg-stop --immediate failed" \
	"$STACK" pg-stop "$STACK_DIR" --immediate
outage "postgresql crashed" database redis
check_true "pg-start after crash" "deploy/stack.sh pg-start failed" "$STACK" pg-start "$STACK_DIR"
back "postgresql back after crash"

# --- PostgreSQL restarted while the pool is idle -------------------------------------
# No request reaches the pool between stop and start, so every child still
# holds its old, now dead, connection. Once PostgreSQL is back no request may
# fail: a child has to notice the dead connection and reconnect before it
# answers, not fail the first request it serves.
wait_for 5 recovered
check_true "pg-restart" "deploy/stack.sh pg-restart failed" "$STACK" pg-restart "$STACK_DIR"
codes=$(for _ in 1 2 3; do
	for ((i = 0; i < 2 * POOL; i++)); do
		curl -sk --max-time 5 -o /dev/null -w '%{http_code}\n' "$BASE/readyz" &
	done
	wait
done)
bad=$(printf '%s\n' "$codes" | grep -vc '^200$')
check_eq "postgresql restarted: no request fails after it is back ($((6 * POOL)) requests)" \
	"$bad non-200" "0 non-200"

# --- Redis restarted while the pool is idle --------------------------------------------
# The same for Redis: every child's connection is dead but no child has
# used it yet. A dead cached connection is not "Redis down": a child should
# reconnect at once rather than fail the command and back off.
wait_for 5 recovered
check_true "redis restart (stop + start)" "deploy/stack.sh redis-stop/redis-start failed" \
	eval '"$STACK" redis-stop "$STACK_DIR" && "$STACK" redis-start "$STACK_DIR"'
codes=$(for _ in 1 2 3; do
	for ((i = 0; i < 2 * POOL; i++)); do
		curl -sk --max-time 5 -o /dev/null -w '%{http_code}\n' "$BASE/readyz" &
	done
	wait
done)
bad=$(printf '%s\n' "$codes" | grep -vc '^200$')
check_eq "redis restarted: no request fails after it is back ($((6 * POOL)) requests)" \
	"$bad non-200" "0 non-200"

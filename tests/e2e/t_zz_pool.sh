#!/usr/bin/env bash
# The pre-forked pool behind nginx: a child killed outright is replaced
# while requests keep succeeding; SIGHUP replaces every child without a
# failed request; SIGTERM drains. Runs last (t_zz_): it stops the pool and
# starts it again with deploy/stack.sh start-app.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STACK=$ROOT/deploy/stack.sh
FCGI_LOG=$STACK_DIR/log/fcgi.log
NGINX_ERR=$STACK_DIR/log/nginx-error.log
POOL=$(conf_value server pool_size 4)
DRAIN_MS=$(duration_ms "$(conf_value server drain_timeout 10s)")
OWN_MASTER="" # a master this file started itself (the drain test)

cleanup() {
	if [ -n "$OWN_MASTER" ] && kill -0 "$OWN_MASTER" 2>/dev/null; then
		kill -TERM "$OWN_MASTER" 2>/dev/null
		wait_for 15 eval '! proc_live "$OWN_MASTER"' || kill -KILL "$OWN_MASTER" 2>/dev/null
		wait "$OWN_MASTER" 2>/dev/null
	fi
	# later files (and a rerun) expect the application running
	"$STACK" start-app "$STACK_DIR" "$BUILD_DIR" >/dev/null 2>&1
	rm -rf "$E2E_TMP"
}
trap cleanup EXIT

# proc_live PID: exists and is not a zombie.
proc_live() {
	local st
	st=$(awk '/^State:/{print $2}' "/proc/$1/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}

master_pid() { head -c 32 "$STACK_DIR/run/fcgi.pid" 2>/dev/null | tr -dc 0-9; }

# pool_is N PID: the master PID has exactly N live children.
pool_is() { [ "$(children "$2" | wc -l)" -eq "$1" ]; }

# request_loop N OUT: N sequential GET /healthz, one new connection each,
# one status code per line in OUT.
request_loop() {
	local i
	for ((i = 0; i < $1; i++)); do
		curl -sk --max-time 10 -o /dev/null -w '%{http_code}\n' "$BASE/healthz" 2>/dev/null ||
			true
	done >"$2"
}

# lines FILE: number of lines written so far.
lines() { wc -l 2>/dev/null <"$1" || echo 0; }

# check_all_200 NAME OUT N ERR_OFFSET: every one of the N codes is 200; on
# failure the reason shows the codes and what nginx logged meanwhile.
check_all_200() {
	local name=$1 out=$2 n=$3 off=$4 got bad
	got=$(grep -c . "$out")
	bad=$(grep -vc '^200$' "$out")
	if [ "$got" -eq "$n" ] && [ "$bad" -eq 0 ]; then
		ok "$name"
	else
		fail "$name" "$got responses, $bad not 200 ($(sort "$out" | uniq -c | tr -s ' \n' ' ')); nginx: $(log_since "$NGINX_ERR" "$off" | grep -E '\[(error|crit|alert)\]' | head -3 | cut -c1-200)"
	fi
}

# metric NAME: a sample's value from /metrics.
metric() {
	curl -sk --max-time 5 "$BASE/metrics" | awk -v want="$1" '$1 == want { print $2; exit }'
}

master=$(master_pid)
check_true "master is running" "no live master in $STACK_DIR/run/fcgi.pid ('$master')" \
	proc_live "${master:-0}"
check_true "pool has server.pool_size ($POOL) children" \
	"master $master has $(children "${master:-0}" | wc -l) children" wait_for 5 pool_is "$POOL" "$master"

# --- a child killed with SIGKILL mid-traffic -------------------------------------------
crashed=$(metric revenge_fcgi_children_crashed_total)
before=$(children "$master")
victim=$(printf '%s\n' "$before" | head -n 1)
err_off=$(log_offset "$NGINX_ERR")
request_loop 100 "$E2E_TMP/kill.out" &
loop=$!
wait_for 20 eval '[ "$(lines "$E2E_TMP/kill.out")" -ge 20 ]'
kill -KILL "$victim"
wait "$loop"
check_all_200 "SIGKILL of a child: 100 sequential requests all 200" "$E2E_TMP/kill.out" 100 "$err_off"
# victim_replaced: pool_size children again, the victim not among them
victim_replaced() {
	local c
	pool_is "$POOL" "$master" || return 1
	for c in $(children "$master"); do
		[ "$c" != "$victim" ] || return 1
	done
}
if wait_for 5 victim_replaced; then
	ok "SIGKILL of a child: replaced, pool back to $POOL"
else
	fail "SIGKILL of a child: replaced, pool back to $POOL" \
		"killed $victim, children now: $(children "$master" | tr '\n' ' ')"
fi
after=$(children "$master")
check_eq "SIGKILL of a child: exactly one new pid" \
	"$(LC_ALL=C comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | wc -l | tr -d ' ')" 1
check_ge "SIGKILL of a child: counted as crashed" \
	"$(( $(metric revenge_fcgi_children_crashed_total) - ${crashed:-0} ))" 1

# --- SIGHUP: a new generation replaces every child ------------------------------------
before=$(children "$master")
log_off=$(log_offset "$FCGI_LOG")
err_off=$(log_offset "$NGINX_ERR")
request_loop 100 "$E2E_TMP/hup.out" &
loop=$!
wait_for 20 eval '[ "$(lines "$E2E_TMP/hup.out")" -ge 20 ]'
kill -HUP "$master"
wait "$loop"
check_all_200 "SIGHUP: 100 sequential requests all 200" "$E2E_TMP/hup.out" 100 "$err_off"
# replaced: pool_size children, none of them from before
replaced() {
	local now
	now=$(children "$master")
	[ "$(printf '%s\n' "$now" | grep -c .)" -eq "$POOL" ] &&
		[ -z "$(LC_ALL=C comm -12 <(printf '%s\n' "$before") <(printf '%s\n' "$now"))" ]
}
if wait_for 10 replaced; then
	ok "SIGHUP: all $POOL children replaced"
else
	fail "SIGHUP: all $POOL children replaced" \
		"before: $(echo $before), now: $(children "$master" | tr '\n' ' ')"
fi
check_eq "SIGHUP: the master stays" "$(master_pid)" "$master"
check_true "SIGHUP: the reload is logged" "no fcgi.reload line in $FCGI_LOG" \
	log_has "$FCGI_LOG" "$log_off" " event=fcgi.reload "
http GET /readyz
check_status "SIGHUP: readyz 200 from the new generation" 200

# --- SIGTERM: drain -----------------------------------------------------------------------
# The pool is stopped and started again by this file itself, as a child of
# this shell, so that its exit status can be read with `wait` (the stack's
# master is reparented to init). Same binary, same configuration.
check_true "drain: stop-app" "deploy/stack.sh stop-app failed" "$STACK" stop-app "$STACK_DIR"
"$BUILD_DIR/revenge-fcgi" --config "$STACK_DIR/revenge.conf" >>"$FCGI_LOG" 2>&1 </dev/null &
OWN_MASTER=$!
wait_for 10 test -S "$STACK_DIR/run/fcgi.sock"
check_true "drain: pool started for the drain test" "the pool did not get ready" \
	wait_for 10 eval 'pool_is "$POOL" "$OWN_MASTER" &&
		[ "$(curl -sk -o /dev/null -w "%{http_code}" "$BASE/readyz")" = 200 ]'

# 20 concurrent /readyz: one curl, one HTTP/2 connection, 20 streams, so
# they reach nginx together. SIGTERM goes out the moment the pool has
# logged its answer to the first of them (tail -F wakes up on inotify):
# the others are then in flight or queued on the socket.
log_off=$(log_offset "$FCGI_LOG")
err_off=$(log_offset "$NGINX_ERR")
kids=$(children "$OWN_MASTER")
(
	timeout 30 tail -c +$((log_off + 1)) -F "$FCGI_LOG" 2>/dev/null |
		{ grep -m 1 -q 'event=http.request .*path=/readyz' && kill -TERM "$OWN_MASTER" &&
			date +%s%3N >"$E2E_TMP/term.at"; }
) &
watcher=$!
args=()
for i in $(seq -w 1 20); do
	args+=(-o "$E2E_TMP/drain.$i" "$BASE/readyz?verbose=true")
done
curl -sk --http2 --parallel --parallel-max 20 --max-time 30 \
	-w '%{http_code} %{filename_effective}\n' "${args[@]}" >"$E2E_TMP/drain.out" 2>/dev/null &
client=$!
wait_for 10 test -s "$E2E_TMP/term.at"
t0=$(cat "$E2E_TMP/term.at" 2>/dev/null)
if [ -n "$t0" ]; then
	ok "drain: SIGTERM sent while the requests ran"
else
	fail "drain: SIGTERM sent while the requests ran" "no /readyz reached the pool within 10 s"
	t0=$(date +%s%3N)
	kill -TERM "$OWN_MASTER"
fi
wait_for $((DRAIN_MS / 1000 + 5)) eval '! proc_live "$OWN_MASTER"'
t1=$(date +%s%3N)
wait "$OWN_MASTER"
status=$?
OWN_MASTER=""
wait "$client"
wait "$watcher" 2>/dev/null

check_eq "drain: master exit status" "$status" 0
check_true "drain: master exits within drain_timeout (${DRAIN_MS} ms)" \
	"it took $((t1 - t0)) ms" test "$((t1 - t0))" -le "$((DRAIN_MS + 500))"
check_true "drain: 'all children stopped' logged" "no such line after SIGTERM" \
	log_has "$FCGI_LOG" "$log_off" ' event=fcgi.stop msg="all children stopped"'
# live_any PID...: one of them is still running.
live_any() {
	local p
	for p in "$@"; do proc_live "$p" && return 0; done
	return 1
}
check_true "drain: no child left behind" "still running: $(for k in $kids; do proc_live "$k" && echo "$k"; done)" \
	eval '! live_any $kids'
check_true "drain: socket file removed" "$STACK_DIR/run/fcgi.sock still exists" \
	test ! -e "$STACK_DIR/run/fcgi.sock"

# Classify the 20 answers. 200: served. 502 with nginx's bad-gateway body:
# nginx could not hand the request to the pool; that is expected only when
# the socket was already gone (nginx logs "connect() ... failed" for it).
# Anything else, or a 502 without such a connect failure (the pool took the
# request and dropped it), is a drain defect.
served=0 refused=0 other=0
while read -r code file; do
	body=$(cat "$file" 2>/dev/null)
	if [ "$code" = 200 ] && [ "$(json_get status "$body")" = '"ready"' ]; then
		served=$((served + 1))
	elif [ "$code" = 502 ] && [ "$(json_get type "$body")" = '"urn:revenge:problem:bad-gateway"' ]; then
		refused=$((refused + 1))
	else
		other=$((other + 1))
		printf '# drain: unexpected answer %s: %s\n' "$code" "${body:0:200}"
	fi
done <"$E2E_TMP/drain.out"
connect_failed=$(log_since "$NGINX_ERR" "$err_off" | grep -c 'connect() to unix:.* failed')
upstream_errors=$(log_since "$NGINX_ERR" "$err_off" | grep -E '\[(error|crit)\]' |
	grep -v 'connect() to unix:.* failed' | grep 'upstream' |
	sed -E 's/^.*\*[0-9]+ //; s/ from upstream.*/ from upstream/' | sort | uniq -c | tr -s ' \n' ' ')
printf '# drain: %d served, %d x 502 from nginx (%d connect failures logged), %d other; master exited %d ms after SIGTERM\n' \
	"$served" "$refused" "$connect_failed" "$other" "$((t1 - t0))"
check_eq "drain: 20 answers" "$((served + refused + other))" 20
check_ge "drain: the pool answered the requests it had started on" "$served" 1
check_eq "drain: no answer but 200 or nginx's 502" "$other" 0
# A request nginx had already handed to the pool (sent on a kept connection
# or queued on the listening socket) and then lost shows up as a 502 with no
# connect() failure behind it; nginx logs "upstream prematurely closed
# connection" or "recv() failed (104: Connection reset by peer)" instead.
check_true "drain: every 502 is a request that arrived after the socket closed" \
	"$refused x 502 but only $connect_failed connect() failures; nginx upstream errors: $upstream_errors" \
	test "$refused" -le "$connect_failed"

# --- back to the stack's own pool ------------------------------------------------------------
check_true "start-app after the drain" "deploy/stack.sh start-app failed" \
	"$STACK" start-app "$STACK_DIR" "$BUILD_DIR"
check_true "ready again after start-app" "readyz not 200 within 10 s" \
	wait_for 10 eval '[ "$(curl -sk -o /dev/null -w "%{http_code}" "$BASE/readyz")" = 200 ]'

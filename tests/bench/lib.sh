# shellcheck shell=bash disable=SC2034  # sets RPS P50 P99 ERRS MIBS for the caller
# tests/bench/lib.sh — what the wrk benchmarks (run.sh, movies.sh) share:
# a stack of their own, the readiness wait and one measured wrk run.
# Sourced; the caller sets ROOT BUILD STACK HTTPS_PORT HTTP_PORT POOL BASE
# THREADS WARMUP DURATION and defines die.

S=$ROOT/deploy/stack.sh

bench_teardown() {
	"$S" destroy "$STACK" >/dev/null 2>&1 || true
}

# bench_stack_up: a fresh stack in $STACK with pool_size $POOL and rate
# limits off, migrated; the application is not started.
bench_stack_up() {
	echo "bench: starting a stack in $STACK (ports $HTTPS_PORT/$HTTP_PORT)"
	bench_teardown # whatever an interrupted run left
	"$S" up "$STACK" --https-port "$HTTPS_PORT" --http-port "$HTTP_PORT" --fast >/dev/null ||
		die "deploy/stack.sh up failed"
	# revenge.conf is created by `up` only when absent; set the pool size
	# before the application starts.
	if grep -q '^pool_size *=' "$STACK/revenge.conf"; then
		sed -i "s/^pool_size *=.*/pool_size = $POOL/" "$STACK/revenge.conf"
	else
		sed -i "s/^\[server\]\$/[server]\npool_size = $POOL/" "$STACK/revenge.conf"
	fi
	# benchmarks run with rate limits off (SPEC §1.5): one client address
	# making tens of thousands of requests a second is the point here
	grep -q '^\[ratelimit\]' "$STACK/revenge.conf" ||
		printf '\n[ratelimit]\nenabled = false\n' >>"$STACK/revenge.conf"
	"$S" migrate "$STACK" "$BUILD" >/dev/null 2>&1 || die "migrating the bench database failed"
	# registration is closed by default; the benches register their users
	(eval "$("$S" env "$STACK")" &&
		psql -q -c "UPDATE server_settings SET value = 'true' WHERE key = 'auth.registration_enabled'") \
		>/dev/null || die "opening registration on the bench database failed"
}

# bench_start_app: the FastCGI pool and a worker, then up to 10 s for
# /readyz to answer 200.
bench_start_app() {
	"$S" start-app "$STACK" "$BUILD" >/dev/null || die "the application did not start"
	for _ in $(seq 1 100); do
		[ "$(curl -sk --max-time 2 -o /dev/null -w '%{http_code}' "$BASE/readyz")" = 200 ] &&
			return 0
		sleep 0.1
	done
	die "$BASE/readyz did not answer 200 within 10 s"
}

# to_ms VALUE: wrk's "812.00us" / "1.23ms" / "1.02s" in milliseconds.
to_ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000
		else if (v ~ /ms$/) n += 0
		else if (v ~ /m$/) n *= 60000
		else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}
# to_mib VALUE: wrk's "Transfer/sec" ("812.33KB", "1.02GB"; 1024-based) in MiB.
to_mib() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /GB$/) n *= 1024
		else if (v ~ /MB$/) n += 0
		else if (v ~ /KB$/) n /= 1024
		else n /= 1048576
		printf "%.1f", n
	}'
}

# wrk_run NAME PATH CONNECTIONS [wrk options]: warm-up, then the measured
# run; sets RPS, P50, P99, ERRS, MIBS (transfer per second).
wrk_run() {
	local name=$1 url=$BASE$2 c=$3 out
	shift 3
	wrk -t "$THREADS" -c "$c" -d "${WARMUP}s" "$@" "$url" >/dev/null 2>&1
	echo "bench: $name: ${DURATION}s, $THREADS threads, $c connections: $url" >&2
	out=$(wrk -t "$THREADS" -c "$c" -d "${DURATION}s" --latency "$@" "$url" 2>&1)
	WRK_OUT=$out
	RPS=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { printf "%.0f", $2 }')
	P50=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2; exit }')")
	P99=$(to_ms "$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2; exit }')")
	MIBS=$(to_mib "$(printf '%s\n' "$out" | awk '/^Transfer\/sec:/ { print $2; exit }')")
	# non-2xx answers and socket errors make the numbers meaningless
	ERRS=$(printf '%s\n' "$out" | awk '
		/Non-2xx or 3xx responses:/ { n += $NF }
		/Socket errors:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) n += $i }
		END { print n + 0 }')
	[ -n "$RPS" ] || { printf '%s\n' "$out" >&2; die "wrk gave no result for $url"; }
}

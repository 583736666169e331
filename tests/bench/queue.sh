#!/usr/bin/env bash
# tests/bench/queue.sh BUILD_DIR — the job queue against graphile-worker,
# on the same machine and the same PostgreSQL: bulk enqueue, processing
# rate, enqueue→start latency, worker memory. Printed, never asserted: the
# exit status is 0 whatever the numbers are (1 only when neither side could
# run at all). What is measured and why: tests/bench/queue.md.
#
# Environment (all optional):
#   BENCH_QUEUE_DIR        stack directory (default BUILD_DIR/bench-queue-stack)
#   BENCH_QUEUE_HTTPS_PORT BENCH_QUEUE_HTTP_PORT  stack ports (default 19543 / 19180)
#   BENCH_QUEUE_JOBS       jobs in the throughput run (default 200000)
#   BENCH_QUEUE_SAMPLES    sequential jobs in the latency run (default 1000)
#   BENCH_QUEUE_FAST       1: stack with fsync off (deploy/stack.sh up --fast); default 0
#   BENCH_QUEUE_EXECUTORS  worker.executors (default: the configuration's default)
#   BENCH_QUEUE_FETCH_BATCH worker.fetch_batch (default: the configuration's default)
#   BENCH_QUEUE_LOG_LEVEL  the worker's log.level (default warn: no line per job,
#                          as graphile-worker's NO_LOG_SUCCESS=1)
#   BENCH_QUEUE_TIMEOUT    seconds one system may take for the throughput run (default 150)
#   BENCH_QUEUE_REVENGE=0  BENCH_QUEUE_GRAPHILE=0  skip one side
#   BENCH_QUEUE_GRAPHILE_VERSION  npm version spec (default 0.17, the newest line Node 20 runs)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ $# -eq 1 ] || { echo "usage: tests/bench/queue.sh BUILD_DIR" >&2; exit 2; }
BUILD=$(cd "$ROOT" && realpath -m -- "$1")
STACK=$(realpath -m -- "${BENCH_QUEUE_DIR:-$BUILD/bench-queue-stack}")
HTTPS_PORT=${BENCH_QUEUE_HTTPS_PORT:-19543}
HTTP_PORT=${BENCH_QUEUE_HTTP_PORT:-19180}
JOBS=${BENCH_QUEUE_JOBS:-200000}
SAMPLES=${BENCH_QUEUE_SAMPLES:-1000}
WARMUP=50
FAST=${BENCH_QUEUE_FAST:-0}
# 24 executors claiming up to 24 jobs at once, as one graphile-worker
# process of its perfTest runs 24 jobs at a time. (With the configuration's
# defaults, 2 x cores executors, a claim takes at most as many jobs as
# executors are idle: a few jobs per transaction on a small machine.)
# Set empty for the configuration's default.
EXECUTORS=${BENCH_QUEUE_EXECUTORS-}
FETCH_BATCH=${BENCH_QUEUE_FETCH_BATCH-}
LOG_LEVEL=${BENCH_QUEUE_LOG_LEVEL:-warn}
TIMEOUT=${BENCH_QUEUE_TIMEOUT:-150}
DO_REVENGE=${BENCH_QUEUE_REVENGE:-1}
DO_GRAPHILE=${BENCH_QUEUE_GRAPHILE:-1}
# 0.17.x: 0.18 is an ES module needing Node >= 22.18
GW_VERSION=${BENCH_QUEUE_GRAPHILE_VERSION:-0.17}
GW_PROCESSES=4
GW_CONCURRENCY=24
CORES=$(nproc 2>/dev/null || echo 1)
GW_DB=graphile_bench

# targets (reported, not enforced)
TARGET_P50_MS=5
TARGET_RSS_KB=$((32 * 1024))

S=$ROOT/deploy/stack.sh
T_START=$(date +%s)

die() {
	printf 'bench-queue: %s\n' "$*" >&2
	exit 1
}
note() { printf 'bench-queue: %s\n' "$*" >&2; }

for v in JOBS SAMPLES TIMEOUT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_QUEUE_$v must be a positive integer (got '${!v}')"
done
for v in EXECUTORS FETCH_BATCH; do
	[ -z "${!v}" ] || [[ ${!v} =~ ^[0-9]+$ ]] || die "BENCH_QUEUE_$v must be an integer (got '${!v}')"
done
command -v psql >/dev/null || die "psql is missing (run: deploy/stack.sh deps)"
[ -x "$BUILD/revenge" ] || die "$BUILD/revenge not found (run: make)"

GW_DIR=""
WORKER_PID=""

stop_worker() {
	[ -n "$WORKER_PID" ] || return 0
	kill -TERM "$WORKER_PID" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$WORKER_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$WORKER_PID" 2>/dev/null
	wait "$WORKER_PID" 2>/dev/null
	WORKER_PID=""
}

teardown() {
	stop_worker
	# the worker's log outlives the stack, for a run that went wrong
	[ ! -s "$STACK/log/bench-worker.log" ] || cp -f "$STACK/log/bench-worker.log" "$BUILD/bench-queue-worker.log"
	"$S" destroy "$STACK" >/dev/null 2>&1 || true
	[ -z "$GW_DIR" ] || rm -rf -- "$GW_DIR"
}
trap teardown EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
# elapsed_ms START_NS END_NS
elapsed_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
# per_s COUNT MILLISECONDS
per_s() { awk -v n="$1" -v ms="$2" 'BEGIN { if (ms > 0) printf "%.0f", 1000 * n / ms; else print "n/a" }'; }

# --- stack ----------------------------------------------------------------------------
fast_opt=()
fast_word="off (fsync on, synchronous_commit on)"
if [ "$FAST" = 1 ]; then
	fast_opt=(--fast)
	fast_word="on (fsync off, synchronous_commit off)"
fi
note "starting a stack in $STACK (ports $HTTPS_PORT/$HTTP_PORT, --fast $fast_word)"
teardown # whatever an interrupted run left
"$S" up "$STACK" --https-port "$HTTPS_PORT" --http-port "$HTTP_PORT" "${fast_opt[@]}" >/dev/null ||
	die "deploy/stack.sh up failed"
"$S" migrate "$STACK" "$BUILD" >/dev/null 2>&1 || die "migrating the bench database failed"
PGSOCK=$STACK/run/pg
DB_URL="postgresql:///revenge?host=$PGSOCK&user=revenge"
GW_URL="postgresql:///$GW_DB?host=$PGSOCK&user=revenge"
PG_VERSION=$(psql -X -At "$DB_URL" -c 'SHOW server_version' 2>/dev/null) || die "cannot reach PostgreSQL"

q() { psql -X -At -v ON_ERROR_STOP=1 "$DB_URL" -c "$1"; }
# as the bootstrap superuser (CHECKPOINT)
qsu() { psql -X -At -q -h "$PGSOCK" -U postgres -d postgres -c "$1" >/dev/null 2>&1; }

# Each system starts its throughput run from the same state: dirty pages
# of the previous phase written out, so a checkpoint does not land in the
# middle of one run only.
settle() {
	qsu "CHECKPOINT" || true
	sleep 1
}

# --- Revenge --------------------------------------------------------------------------
RV_STATUS="not run"
rv_enq_rate="n/a" rv_rate="n/a" rv_min="n/a" rv_p50="n/a" rv_p99="n/a" rv_max="n/a"
rv_hwm="" rv_enqueue_via="" rv_executors="" rv_startup="n/a" rv_done=0

# latency loop run inside PostgreSQL: insert one job and commit (the NOTIFY
# goes out at that commit), wait until the job is final, next. Latency is
# attempted_at - created_at, both set by PostgreSQL.
rv_latency_sql() {
	cat <<SQL
DO \$\$
DECLARE jid bigint; deadline timestamptz;
BEGIN
	FOR i IN 1..$1 LOOP
		INSERT INTO jobs (kind) VALUES ('noop') RETURNING id INTO jid;
		COMMIT;
		deadline := clock_timestamp() + interval '10 s';
		WHILE EXISTS (SELECT 1 FROM jobs WHERE id = jid
				AND state NOT IN ('completed', 'discarded', 'cancelled')) LOOP
			IF clock_timestamp() > deadline THEN
				RAISE EXCEPTION 'job % not final within 10 s', jid;
			END IF;
			PERFORM pg_sleep(0.0005);
		END LOOP;
	END LOOP;
END \$\$
SQL
}

# peak memory of the worker: VmHWM of the process, plus its children if any
rv_memory() {
	local pids=$WORKER_PID
	pids="$pids $(cat "/proc/$WORKER_PID/task/"*/children 2>/dev/null)"
	rv_procs=$(wc -w <<<"$pids")
	# shellcheck disable=SC2086
	rv_hwm=$(for p in $pids; do cat "/proc/$p/status" 2>/dev/null; done |
		awk '/^VmHWM:/ { h += $2 } END { print h + 0 }')
}

run_revenge() {
	local conf=$STACK/bench-worker.conf log=$STACK/log/bench-worker.log t0 t1 out
	[ -x "$BUILD/revenge-worker" ] || { RV_STATUS="unavailable: $BUILD/revenge-worker not built"; return 1; }
	{
		cat "$STACK/revenge.conf"
		printf '\n[log]\nlevel = %s\n[worker]\n' "$LOG_LEVEL"
		[ -z "$EXECUTORS" ] || printf 'executors = %s\n' "$EXECUTORS"
		[ -z "$FETCH_BATCH" ] || printf 'fetch_batch = %s\n' "$FETCH_BATCH"
	} >"$conf"
	# the effective values (defaults included), as the worker will see them
	local eff
	eff=$(env -u REVENGE_CONFIG "$BUILD/revenge" --config "$conf" config check 2>/dev/null |
		awk '/^\[/ { s = $0 } s == "[worker]" && /^(executors|fetch_batch|reserved_[a-z]*) *=/ { printf "%s ", $0 }')
	rv_executors=$(sed -n 's/.*executors = \([0-9]*\).*/\1/p' <<<"$eff")
	[ "${rv_executors:-0}" != 0 ] || rv_executors="$((2 * CORES)) (0 = 2 x $CORES cores)"
	rv_settings=$(sed 's/ *= */=/g; s/ *$//' <<<"$eff")

	# enqueue: the CLI's bulk insert (one statement), else plain SQL
	note "Revenge: enqueueing $JOBS noop jobs"
	t0=$(now_ns)
	if out=$(env -u REVENGE_CONFIG "$BUILD/revenge" --config "$conf" enqueue noop --count "$JOBS" 2>&1); then
		t1=$(now_ns)
		rv_enqueue_via="revenge enqueue noop --count $JOBS"
	else
		note "revenge enqueue failed ($(head -c 200 <<<"$out")); falling back to SQL"
		q "DELETE FROM jobs" >/dev/null
		t0=$(now_ns)
		q "INSERT INTO jobs (kind) SELECT 'noop' FROM generate_series(1, $JOBS)" >/dev/null ||
			{ RV_STATUS="unavailable: enqueue failed"; return 1; }
		t1=$(now_ns)
		rv_enqueue_via="psql INSERT ... SELECT generate_series (fallback)"
	fi
	local n
	n=$(q "SELECT count(*) FROM jobs WHERE kind = 'noop' AND state = 'available'")
	[ "$n" = "$JOBS" ] || { RV_STATUS="unavailable: $n of $JOBS jobs enqueued"; return 1; }
	rv_enq_rate=$(per_s "$JOBS" "$(elapsed_ms "$t0" "$t1")")

	settle
	note "Revenge: starting revenge-worker"
	: >"$log"
	local launched
	launched=$(q "SELECT to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI:SS.US')")
	env -u REVENGE_CONFIG -u REVENGE_STACK_DIR "$BUILD/revenge-worker" --config "$conf" >>"$log" 2>&1 </dev/null &
	WORKER_PID=$!
	# wait until no job is left; give up when nothing moved for 20 s or
	# after TIMEOUT seconds in all
	local left=$JOBS last_left=$JOBS last_move now deadline
	last_move=$(date +%s)
	deadline=$(($(date +%s) + TIMEOUT))
	while :; do
		sleep 0.25
		if ! kill -0 "$WORKER_PID" 2>/dev/null; then
			wait "$WORKER_PID" 2>/dev/null
			WORKER_PID=""
			RV_STATUS="unavailable: revenge-worker exited ($(tail -n 3 "$log" | tr '\n' ' ' | head -c 300); log: $BUILD/bench-queue-worker.log)"
			return 1
		fi
		# noop only: the leader may have enqueued periodic jobs for later
		left=$(q "SELECT count(*) FROM jobs WHERE kind = 'noop'
			AND state IN ('available', 'scheduled', 'running', 'retryable')") || left=$last_left
		[ "$left" = 0 ] && break
		now=$(date +%s)
		if [ "$left" != "$last_left" ]; then
			last_move=$now
			last_left=$left
		fi
		if [ $((now - last_move)) -ge 20 ]; then
			if [ "$left" = "$JOBS" ]; then
				RV_STATUS="unavailable: revenge-worker ran but completed no noop job within 20 s (log: $BUILD/bench-queue-worker.log)"
				stop_worker
				return 1
			fi
			note "Revenge: no progress for 20 s with $left jobs left; measuring what was done"
			break
		fi
		if [ "$now" -ge "$deadline" ]; then
			note "Revenge: $left jobs left after ${TIMEOUT}s; measuring what was done"
			break
		fi
	done
	# first claim to last completion, from the jobs themselves
	read -r rv_done rv_span rv_startup <<<"$(q "SELECT count(*),
		round((extract(epoch FROM max(finalized_at) - min(attempted_at)) * 1000)::numeric, 1),
		round((extract(epoch FROM min(attempted_at) - '$launched'::timestamptz) * 1000)::numeric, 1)
		FROM jobs WHERE kind = 'noop' AND state = 'completed'" | tr '|' ' ')"
	[ "${rv_done:-0}" -gt 0 ] || { RV_STATUS="unavailable: no job completed"; stop_worker; return 1; }
	rv_rate=$(per_s "$rv_done" "$rv_span")
	rv_memory

	note "Revenge: latency over $SAMPLES sequential jobs"
	local mark
	mark=$(q "SELECT coalesce(max(id), 0) FROM jobs")
	if q "$(rv_latency_sql "$WARMUP")" >/dev/null; then
		mark=$(q "SELECT coalesce(max(id), 0) FROM jobs")
		sleep 0.5
		if out=$(q "$(rv_latency_sql "$SAMPLES")" 2>&1); then
			read -r rv_lat_n rv_min rv_p50 rv_p99 rv_max <<<"$(q "SELECT count(*),
				round(min(ms)::numeric, 2), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 2),
				round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 2), round(max(ms)::numeric, 2)
				FROM (SELECT extract(epoch FROM attempted_at - created_at) * 1000 AS ms
				FROM jobs WHERE id > $mark AND kind = 'noop' AND state = 'completed') s" | tr '|' ' ')"
			[ "$rv_lat_n" = "$SAMPLES" ] || note "Revenge latency: only $rv_lat_n of $SAMPLES jobs completed"
		else
			note "Revenge latency run failed: $(head -c 300 <<<"$out")"
		fi
	else
		note "Revenge latency warm-up failed (a job did not complete within 10 s)"
	fi
	rv_memory
	stop_worker
	RV_STATUS=ok
	[ "$rv_done" = "$JOBS" ] || RV_STATUS="partial: $rv_done of $JOBS jobs completed"
	return 0
}

# --- graphile-worker ------------------------------------------------------------------
GW_STATUS="not run"
gw_enq_rate="n/a" gw_rate="n/a" gw_min="n/a" gw_p50="n/a" gw_p99="n/a" gw_max="n/a"
gw_rss_max="" gw_rss_sum="" gw_version="" gw_perf="n/a"

# result KEY LINE: the value of KEY=... in a "result ..." line
result() { sed -n "s/.*[ ]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

run_graphile() {
	local out t0 t1 node_log
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		GW_STATUS="unavailable: node/npm missing"
		return 1
	fi
	GW_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bench-queue-graphile.XXXXXX")
	node_log=$GW_DIR/node.log
	note "graphile-worker: npm install graphile-worker@$GW_VERSION into $GW_DIR"
	if ! (cd "$GW_DIR" && npm init -y >/dev/null 2>&1 &&
		timeout 300 npm install --no-audit --no-fund --loglevel=error "graphile-worker@$GW_VERSION" >"$node_log" 2>&1); then
		GW_STATUS="unavailable: npm install failed ($(tail -n 2 "$node_log" | tr '\n' ' '))"
		return 1
	fi
	gw_version=$(node -p 'require(process.argv[1] + "/node_modules/graphile-worker/package.json").version' "$GW_DIR")
	q "CREATE DATABASE $GW_DB" >/dev/null || { GW_STATUS="unavailable: cannot create $GW_DB"; return 1; }
	export DATABASE_URL=$GW_URL NODE_PATH=$GW_DIR/node_modules NO_LOG_SUCCESS=1
	export GW_PROCESSES GW_CONCURRENCY
	local cli=$GW_DIR/node_modules/graphile-worker/dist/cli.js js=$ROOT/tests/bench/queue_graphile.js
	node "$cli" --schema-only >>"$node_log" 2>&1 || { GW_STATUS="unavailable: schema install failed (see $node_log)"; return 1; }

	out=$(node "$js" startup "$GW_DIR/work" 2>>"$node_log" | grep '^result ')
	gw_startup=$(result startup_ms "$out")

	note "graphile-worker: enqueueing $JOBS jobs (add_jobs)"
	t0=$(now_ns)
	psql -X -At -v ON_ERROR_STOP=1 "$GW_URL" -c "SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
		SELECT ('noop', '{}'::json, NULL, NULL, NULL, NULL, NULL, NULL)::graphile_worker.job_spec
		FROM generate_series(1, $JOBS)))" >/dev/null || { GW_STATUS="unavailable: add_jobs failed"; return 1; }
	t1=$(now_ns)
	gw_enq_rate=$(per_s "$JOBS" "$(elapsed_ms "$t0" "$t1")")

	settle
	note "graphile-worker: $GW_PROCESSES processes x concurrency $GW_CONCURRENCY"
	out=$(timeout "$TIMEOUT" node "$js" process "$GW_DIR/work" "$JOBS" 2>>"$node_log" | grep '^result ')
	[ -n "$out" ] || { GW_STATUS="unavailable: the throughput run failed: $(tail -n 5 "$node_log" | tr '\n' ' ' | head -c 600)"; return 1; }
	gw_done=$(result jobs "$out")
	gw_rate=$(result rate "$out")
	gw_span=$(result span_ms "$out")
	gw_rss_max=$(result rss_max_kb "$out")
	gw_rss_sum=$(result rss_sum_kb "$out")
	gw_perf=$(awk -v n="$gw_done" -v w="$(result wall_ms "$out")" -v s="$gw_startup" \
		'BEGIN { if (w - s > 0) printf "%.0f", 1000 * n / (w - s); else print "n/a" }')

	note "graphile-worker: latency over $SAMPLES sequential jobs"
	out=$(timeout 120 node "$js" latency "$GW_DIR/work" "$SAMPLES" "$WARMUP" 2>>"$node_log" | grep '^result ')
	if [ -n "$out" ]; then
		gw_min=$(result min_ms "$out")
		gw_p50=$(result p50_ms "$out")
		gw_p99=$(result p99_ms "$out")
		gw_max=$(result max_ms "$out")
	else
		note "graphile-worker latency run failed (see $node_log)"
	fi
	GW_STATUS=ok
	[ "$gw_done" = "$JOBS" ] || GW_STATUS="partial: $gw_done of $JOBS jobs ran"
	return 0
}

if [ "$DO_REVENGE" = 1 ]; then run_revenge; else RV_STATUS="skipped (BENCH_QUEUE_REVENGE=0)"; fi
if [ "$DO_GRAPHILE" = 1 ]; then run_graphile; else GW_STATUS="skipped (BENCH_QUEUE_GRAPHILE=0)"; fi

[ "$RV_STATUS" = ok ] || [ "$GW_STATUS" = ok ] || [[ $RV_STATUS == partial* ]] || [[ $GW_STATUS == partial* ]] ||
	die "neither side ran (Revenge: $RV_STATUS; graphile-worker: $GW_STATUS)"

# --- report ---------------------------------------------------------------------------
verdict() { if [ "$1" = 1 ]; then echo met; else echo MISSED; fi; }
mib() { awk -v k="$1" 'BEGIN { if (k == "") print "n/a"; else printf "%.1f MiB", k / 1024 }'; }
row() { printf '%-32s %24s %24s\n' "$1" "$2" "$3"; }

echo
echo "Revenge job queue benchmark — $(date -u +%Y-%m-%dT%H:%M:%SZ), $CORES cores, PostgreSQL $PG_VERSION,"
echo "one stack for both systems, deploy/stack.sh --fast $fast_word"
echo "throughput run: $JOBS no-op jobs enqueued in one statement, then the workers started;"
echo "latency run: $SAMPLES sequential jobs (each enqueued after the previous one finished; $WARMUP warm-up jobs first)"
echo
if [ "$RV_STATUS" = ok ] || [[ $RV_STATUS == partial* ]]; then
	echo "Revenge:  one revenge-worker, executors $rv_executors; [worker] $rv_settings; log.level $LOG_LEVEL"
	echo "          enqueue: $rv_enqueue_via"
	[[ $RV_STATUS == partial* ]] && echo "          $RV_STATUS"
else
	echo "Revenge:  $RV_STATUS"
fi
if [ "$GW_STATUS" = ok ] || [[ $GW_STATUS == partial* ]]; then
	echo "graphile: graphile-worker $gw_version (npm), $GW_PROCESSES processes x concurrency $GW_CONCURRENCY, perfTest settings"
	echo "          (local queue 500, completions batched, NO_LOG_SUCCESS=1); enqueue: SQL add_jobs(); latency: one runner, concurrency 1"
	[[ $GW_STATUS == partial* ]] && echo "          $GW_STATUS"
else
	echo "graphile: $GW_STATUS"
fi
echo
rv_mem="n/a"
[ -z "$rv_hwm" ] || rv_mem="$(mib "$rv_hwm")"
[ "${rv_procs:-1}" -le 1 ] || rv_mem="$rv_mem (${rv_procs} procs)"
gw_mem="n/a"
[ -z "$gw_rss_max" ] || gw_mem="$(mib "$gw_rss_max") x $GW_PROCESSES procs"
row "" "Revenge" "graphile-worker"
row "--------" "-------" "---------------"
row "enqueue (jobs/s)" "$rv_enq_rate" "$gw_enq_rate"
row "processing (jobs/s)" "$rv_rate" "$gw_rate"
row "latency min (ms)" "$rv_min" "$gw_min"
row "latency median (ms)" "$rv_p50" "$gw_p50"
row "latency p99 (ms)" "$rv_p99" "$gw_p99"
row "latency max (ms)" "$rv_max" "$gw_max"
row "worker RSS peak (VmHWM)" "$rv_mem" "$gw_mem"
echo
echo "processing = completed jobs / (first claim -> last completion): Revenge from jobs.attempted_at/finalized_at,"
echo "graphile-worker from its first task start to its table being empty (it deletes completed jobs), polled every 20 ms."
[ "$rv_startup" = "n/a" ] ||
	echo "Revenge: $rv_done jobs in $rv_span ms; first claim $rv_startup ms after the worker was launched (not counted)."
[ -z "${gw_span:-}" ] || echo "graphile-worker: $gw_done jobs in $gw_span ms."
[ "$gw_perf" = "n/a" ] || echo "graphile-worker perfTest formula (wall clock of the $GW_PROCESSES --once processes minus a ${gw_startup} ms empty run): $gw_perf jobs/s."
[ -z "$gw_rss_sum" ] || echo "graphile-worker memory: peak RSS per process (ru_maxrss); $(mib "$gw_rss_sum") for all $GW_PROCESSES."
echo "latency = claim time - insert time, both PostgreSQL's now() of the transactions (jobs.attempted_at - created_at;"
echo "graphile: locked_at - created_at)."
echo
rv_ok=0
[ "$rv_rate" != n/a ] && rv_ok=1
if [ "$rv_ok" = 1 ] && [ "$gw_rate" != n/a ]; then
	ratio=$(awk -v a="$rv_rate" -v b="$gw_rate" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	printf 'processing Revenge/graphile-worker: %s   (target >= 1.00: %s)\n' "$ratio" \
		"$(verdict "$(awk -v r="$ratio" 'BEGIN { print (r >= 1) ? 1 : 0 }')")"
else
	echo "processing Revenge/graphile-worker: n/a (one side did not run)"
fi
if [ "$rv_p50" != n/a ]; then
	printf 'latency median: %s ms   (target <= %s ms: %s)\n' "$rv_p50" "$TARGET_P50_MS" \
		"$(verdict "$(awk -v v="$rv_p50" -v t="$TARGET_P50_MS" 'BEGIN { print (v <= t) ? 1 : 0 }')")"
else
	echo "latency median: n/a (the Revenge side did not run)"
fi
if [ -n "$rv_hwm" ]; then
	printf 'worker RSS: %s   (target <= %s MiB: %s)\n' "$(mib "$rv_hwm")" "$((TARGET_RSS_KB / 1024))" \
		"$(verdict "$([ "$rv_hwm" -le "$TARGET_RSS_KB" ] && echo 1)")"
else
	echo "worker RSS: n/a (the Revenge side did not run)"
fi
echo "(run time $(($(date +%s) - T_START)) s)"
exit 0

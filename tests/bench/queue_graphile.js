// tests/bench/queue_graphile.js — the graphile-worker side of
// tests/bench/queue.sh. graphile-worker is not part of Revenge: queue.sh
// installs it from npm into a temporary directory and runs this script with
// NODE_PATH pointing there. Nothing here is asserted; results are printed
// as one "result key=value ..." line that queue.sh reads.
//
//   node queue_graphile.js startup  WORKDIR
//   node queue_graphile.js process  WORKDIR JOBS
//   node queue_graphile.js latency  WORKDIR SAMPLES WARMUP
//
// Environment: DATABASE_URL (the bench stack's database, unix socket),
// GW_PROCESSES and GW_CONCURRENCY (default 4 and 24, the settings of
// graphile-worker's own perfTest).
"use strict";

const fs = require("fs");
const path = require("path");
const { spawn } = require("child_process");
const pg = require("pg");

const PROCESSES = parseInt(process.env.GW_PROCESSES || "4", 10);
const CONCURRENCY = parseInt(process.env.GW_CONCURRENCY || "24", 10);
const URL = process.env.DATABASE_URL;

function die(msg) {
	process.stderr.write(`queue_graphile: ${msg}\n`);
	process.exit(1);
}

if (!URL) die("DATABASE_URL is not set");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const nowMs = () => performance.timeOrigin + performance.now();

function cliPath() {
	const p = path.join(process.env.NODE_PATH || "", "graphile-worker", "dist", "cli.js");
	if (!fs.existsSync(p)) die(`${p} not found (NODE_PATH must be the install's node_modules)`);
	return p;
}

// The worker processes load their tasks from WORKDIR/tasks and their
// settings from WORKDIR/bench.config.js. The no-op task notes, per
// process, when it ran first and last and how much memory the process
// peaked at, in a file read after the run.
function writeWorkdir(dir) {
	fs.mkdirSync(path.join(dir, "tasks"), { recursive: true });
	fs.mkdirSync(path.join(dir, "stamps"), { recursive: true });
	const task = `"use strict";
const fs = require("fs");
const out = ${JSON.stringify(path.join(dir, "stamps"))} + "/" + process.pid;
let first = 0, last = 0, n = 0;
process.on("exit", () => {
	const rss = process.resourceUsage().maxRSS;
	fs.writeFileSync(out, JSON.stringify({ first, last, n, exit: performance.timeOrigin + performance.now(), rss }));
});
module.exports = async () => {
	const t = performance.timeOrigin + performance.now();
	if (!first) first = t;
	last = t;
	n++;
};
`;
	fs.writeFileSync(path.join(dir, "tasks", "noop.js"), task);
	// graphile-worker's perfTest settings: a local queue of 500 jobs per
	// process refetched after 10 ms, and completions batched.
	const preset = `module.exports = {
	worker: {
		connectionString: ${JSON.stringify(URL)},
		taskDirectory: ${JSON.stringify(path.join(dir, "tasks"))},
		fileExtensions: [".js"],
		concurrentJobs: ${CONCURRENCY},
		maxPoolSize: ${CONCURRENCY + 1},
		gracefulShutdownAbortTimeout: 2500,
		localQueue: { size: 500, refetchDelay: { durationMs: 10 } },
		completeJobBatchDelay: 0,
		failJobBatchDelay: 0,
	},
};
`;
	fs.writeFileSync(path.join(dir, "bench.config.js"), preset);
}

// One `graphile-worker --once` process: runs until no job is left.
function worker(dir) {
	return new Promise((resolve, reject) => {
		const p = spawn(
			process.execPath,
			[cliPath(), "--once", "-C", path.join(dir, "bench.config.js"), "-j", String(CONCURRENCY),
				"-m", String(CONCURRENCY + 1)],
			{ cwd: dir, env: { ...process.env, NO_LOG_SUCCESS: "1" }, stdio: ["ignore", "ignore", "pipe"] },
		);
		let err = "";
		p.stderr.on("data", (d) => {
			if (err.length < 4000) err += d;
		});
		p.on("error", reject);
		p.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`graphile-worker exited ${code}: ${err}`))));
	});
}

function readStamps(dir) {
	const d = path.join(dir, "stamps");
	return fs.readdirSync(d).map((f) => JSON.parse(fs.readFileSync(path.join(d, f), "utf8")));
}

function clearStamps(dir) {
	const d = path.join(dir, "stamps");
	for (const f of fs.readdirSync(d)) fs.unlinkSync(path.join(d, f));
}

// What perfTest subtracts: one --once process on an empty queue.
async function startup(dir) {
	writeWorkdir(dir);
	const t0 = nowMs();
	await worker(dir);
	console.log(`result startup_ms=${(nowMs() - t0).toFixed(1)}`);
}

async function processing(dir, jobs) {
	writeWorkdir(dir);
	clearStamps(dir);
	const client = new pg.Client({ connectionString: URL });
	await client.connect();
	const t0 = nowMs();
	let emptyAt = 0;
	let failed = null;
	const runs = [];
	for (let i = 0; i < PROCESSES; i++) runs.push(worker(dir).catch((e) => (failed = failed || e)));
	const all = Promise.all(runs).then(() => "done");
	// graphile-worker deletes a job when it completes: the queue is done
	// when its table is empty. Polled every 20 ms (the error this adds to
	// a run of several seconds is well under 1 %).
	for (;;) {
		const r = await client.query("SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs) AS busy");
		if (!r.rows[0].busy) {
			emptyAt = nowMs();
			break;
		}
		if ((await Promise.race([all, sleep(20)])) === "done") {
			const again = await client.query("SELECT count(*)::int AS n FROM graphile_worker._private_jobs");
			if (again.rows[0].n > 0) die(`the workers exited with ${again.rows[0].n} jobs left`);
		}
	}
	await all;
	const wall = nowMs() - t0;
	await client.end();
	if (failed) die(String(failed.message || failed));
	const s = readStamps(dir);
	const first = Math.min(...s.filter((x) => x.n > 0).map((x) => x.first));
	const done = s.reduce((a, x) => a + x.n, 0);
	const rssMax = Math.max(...s.map((x) => x.rss));
	const rssSum = s.reduce((a, x) => a + x.rss, 0);
	const span = emptyAt - first;
	console.log(
		`result jobs=${done} span_ms=${span.toFixed(1)} rate=${((1000 * done) / span).toFixed(0)} ` +
			`wall_ms=${wall.toFixed(1)} rss_max_kb=${rssMax} rss_sum_kb=${rssSum} processes=${s.length}`,
	);
	if (done !== jobs) console.error(`queue_graphile: ${done} jobs ran, ${jobs} were added`);
}

// Sequential jobs: enqueue one (its own transaction), wait until the
// worker has deleted it (completed), next. The loop runs inside
// PostgreSQL (COMMIT in a DO block delivers the NOTIFY at once), exactly as
// queue.sh does for Revenge. Latency = locked_at - created_at, both set by
// PostgreSQL (claim and insert), read as text to keep microseconds.
const LOOP_SQL = (n) => `
DO $$
DECLARE jid bigint; deadline timestamptz;
BEGIN
	FOR i IN 1..${n} LOOP
		SELECT id INTO jid FROM graphile_worker.add_job('latency', '{}'::json);
		COMMIT;
		deadline := clock_timestamp() + interval '10 s';
		WHILE EXISTS (SELECT 1 FROM graphile_worker._private_jobs WHERE id = jid) LOOP
			IF clock_timestamp() > deadline THEN
				RAISE EXCEPTION 'job % not done within 10 s', jid;
			END IF;
			PERFORM pg_sleep(0.0005);
		END LOOP;
	END LOOP;
END $$`;

async function latency(samples, warmup) {
	const { run } = require("graphile-worker");
	const asText = (oid, fmt) => (oid === 1184 ? (v) => v : pg.types.getTypeParser(oid, fmt));
	const pool = new pg.Pool({ connectionString: URL, max: 4, types: { getTypeParser: asText } });
	const seen = [];
	// graphile-worker's own latency test: one in-process runner,
	// concurrency 1, default settings otherwise
	const runner = await run({
		pgPool: pool,
		concurrency: 1,
		noHandleSignals: true,
		taskList: {
			latency: async (_payload, helpers) => {
				seen.push([helpers.job.created_at, helpers.job.locked_at]);
			},
		},
	});
	const client = await pool.connect();
	try {
		if (warmup > 0) await client.query(LOOP_SQL(warmup));
		seen.length = 0;
		await sleep(500);
		await client.query(LOOP_SQL(samples));
	} finally {
		client.release();
	}
	await runner.stop();
	if (seen.length !== samples) die(`${seen.length} latency jobs ran, ${samples} expected`);
	const r = await pool.query(
		`SELECT min(ms) AS min, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
			percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, max(ms) AS max
		   FROM (SELECT extract(epoch FROM l - c) * 1000 AS ms
			   FROM unnest($1::timestamptz[], $2::timestamptz[]) AS t(c, l)) s`,
		[seen.map((x) => x[0]), seen.map((x) => x[1])],
	);
	await pool.end();
	const f = (v) => Number(v).toFixed(2);
	const x = r.rows[0];
	console.log(`result n=${seen.length} min_ms=${f(x.min)} p50_ms=${f(x.p50)} p99_ms=${f(x.p99)} max_ms=${f(x.max)}`);
}

async function main() {
	const [cmd, dir, a, b] = process.argv.slice(2);
	if (!dir) die("usage: queue_graphile.js startup|process|latency WORKDIR [N] [WARMUP]");
	if (cmd === "startup") return startup(dir);
	if (cmd === "process") return processing(dir, parseInt(a, 10));
	if (cmd === "latency") return latency(parseInt(a, 10), parseInt(b || "0", 10));
	die(`unknown command ${cmd}`);
}

main().then(
	() => process.exit(0),
	(e) => die(e && e.stack ? e.stack : String(e)),
);

-- 0014: whether a claimed job has started, and per-kind job counters.
--
-- started: false while a claimed job only waits in a worker's queue; the
-- worker sets it before the handler runs (the claim itself sets it for the
-- jobs idle executors start at once). A claim whose worker died is then
-- rescued without spending an attempt when it never started
-- (docs/internals/queue.md). Rows written before this migration, and any
-- row not claimed by a worker of this version, count as started (the
-- cautious reading: an attempt is spent). A constant default: no rewrite.
ALTER TABLE jobs ADD COLUMN started boolean NOT NULL DEFAULT true;

-- what each kind's jobs came to, summed over every worker (each worker
-- adds its deltas every few seconds and at exit); /metrics reports them
-- as revenge_jobs_by_kind_total{kind,outcome}
CREATE TABLE job_kind_counters (
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
	outcome text NOT NULL CHECK (outcome ~ '^[a-z_]{1,32}$'),
	value bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (kind, outcome)
);

-- 0004: job counters every worker adds its deltas to (every few seconds
-- and at exit), so /metrics reports totals over all workers on all hosts.
CREATE TABLE job_counters (
	name text PRIMARY KEY CHECK (name ~ '^[a-z_]{1,64}$'),
	value bigint NOT NULL DEFAULT 0
);

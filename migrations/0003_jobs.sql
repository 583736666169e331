-- 0003: the job queue (SPEC §6).
CREATE TYPE job_state AS ENUM
	('available', 'scheduled', 'running', 'retryable', 'completed', 'discarded', 'cancelled');

-- priority: 0 critical, 1 high, 2 default, 3 low, 4 bulk
CREATE TABLE jobs (
	id bigserial PRIMARY KEY,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{0,63}$'),
	args jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(args) = 'object'),
	priority smallint NOT NULL DEFAULT 2 CHECK (priority BETWEEN 0 AND 4),
	state job_state NOT NULL DEFAULT 'available',
	run_at timestamptz NOT NULL DEFAULT now(),
	attempt integer NOT NULL DEFAULT 0,
	max_attempts integer NOT NULL DEFAULT 25 CHECK (max_attempts BETWEEN 1 AND 1000),
	unique_key text CHECK (length(unique_key) <= 256),
	request_id text CHECK (length(request_id) <= 128),
	-- one object per failed attempt: {"attempt":n,"at":"…","error":"…"}
	errors jsonb NOT NULL DEFAULT '[]',
	locked_by text,
	lease_until timestamptz,
	cancel_requested boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL DEFAULT now(),
	attempted_at timestamptz,
	finalized_at timestamptz
);

-- what executors claim from: the non-final, runnable states in claim order
CREATE INDEX jobs_claim_idx ON jobs (priority, run_at, id)
	WHERE state IN ('available', 'scheduled', 'retryable');
-- at most one non-final job per unique key
CREATE UNIQUE INDEX jobs_unique_idx ON jobs (unique_key)
	WHERE unique_key IS NOT NULL AND state IN ('available', 'scheduled', 'running', 'retryable');
-- the rescuer's scan for expired leases
CREATE INDEX jobs_lease_idx ON jobs (lease_until) WHERE state = 'running';
-- admin listing and retention
CREATE INDEX jobs_state_idx ON jobs (state, finalized_at);
CREATE INDEX jobs_kind_idx ON jobs (kind, created_at);

-- one wake-up per inserting statement, delivered at commit (a rolled-back
-- enqueue wakes nobody); the payload is the highest priority inserted
CREATE OR REPLACE FUNCTION jobs_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('revenge_jobs', coalesce((SELECT min(priority)::text FROM new_jobs), '2'));
	RETURN NULL;
END;
$$;
CREATE TRIGGER jobs_notify AFTER INSERT ON jobs
	REFERENCING NEW TABLE AS new_jobs FOR EACH STATEMENT EXECUTE FUNCTION jobs_notify();

-- periodic jobs already enqueued, one row per (name, period): a failover
-- never enqueues a period twice
CREATE TABLE periodic_runs (
	name text NOT NULL,
	period_start timestamptz NOT NULL,
	job_id bigint,
	enqueued_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (name, period_start)
);

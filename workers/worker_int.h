/*
 * worker_int: the state one revenge-worker process shares between its
 * threads (internal to workers/; see docs/internals/queue.md).
 *
 * Threads: the main thread (signals, reload, shutdown), one listener
 * (LISTEN/NOTIFY), one heartbeat (leases, cancel flags, watchdog), one
 * completer (batched completions and writes that failed), and the
 * executors, grouped in pools: one pool per priority for the reserved
 * executors and one shared pool that takes every priority. The leader
 * (leader.h) and the folder watcher (watcher.h, active only while this
 * worker leads) have threads and connections of their own and share
 * nothing below.
 *
 * Locking: one mutex (w->mu) guards everything below marked [mu]; each
 * pool, the completer and the heartbeat have a condition variable on it
 * (CLOCK_MONOTONIC). No database call is ever made with w->mu held.
 */
#ifndef REVENGE_WORKERS_WORKER_INT_H
#define REVENGE_WORKERS_WORKER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "claim.h"
#include "jobs/jobs.h"

#define POOL_SHARED JOB_PRIORITIES /* index of the shared pool */
#define NPOOLS (JOB_PRIORITIES + 1)
#define WORKER_ID_MAX 128

enum held_phase {
	HELD_QUEUED,    /* claimed, waiting in its pool's queue */
	HELD_RUNNING,   /* its handler runs */
	HELD_FINISHING, /* the executor is writing its outcome */
};

/* A job this worker has claimed and whose outcome is not yet handed on.
 * Lives in the registry (w->held) from the claim until the executor has
 * written its outcome or queued it for the completer. */
struct held {
	struct held *prev, *next; /* registry [mu] */
	struct held *qnext;       /* pool queue [mu] */
	struct claim_ref ref;
	char *kind, *args, *request_id; /* owned (one allocation with the struct) */
	int max_attempts, priority;
	bool cancel_at_claim, rerun;
	bool started;        /* started_at is set for this claim */
	int64_t claimed_us;  /* monotonic, when it entered the registry */
	int64_t deadline_us; /* monotonic, set when it starts [mu] */
	int64_t grace_us;    /* watchdog grace past the deadline [mu] */
	enum held_phase phase; /* [mu] */
	volatile int cancel;   /* the handler's stop flag (atomic access) */
	bool cancel_requested; /* an operator asked (from the heartbeat) [mu] */
	bool overdue;          /* the deadline passed while it ran [mu] */
	bool lost;             /* no longer ours in the database [mu] */
	bool abandoned;        /* its outcome was decided without it [mu] */
	unsigned seen;         /* heartbeat round that saw it [mu] */
};

/* An outcome waiting for the completer. */
struct outcome {
	struct outcome *next;
	struct claim_ref ref;
	bool complete;     /* else op */
	enum claim_op op;
	int64_t delay_ms;
	char *error;       /* owned; may be NULL */
	int tries;
};

struct executor {
	struct executor *next; /* in its pool [mu] */
	struct worker *w;
	struct pool *pool;
	pthread_t thread;
	struct db *db;
	struct arena *arena;
	bool retire;          /* leave after the current job [mu] */
	bool exited;          /* the thread has returned [mu] */
	struct held *current; /* the job it runs [mu] */
};

struct pool {
	unsigned allowed;  /* bit p: takes priority p */
	int target;        /* executors wanted (configuration) [mu] */
	int live;          /* started and not retired [mu] */
	int idle;          /* waiting for work, the claimer included [mu] */
	bool claiming;     /* one executor claims for the pool at a time [mu] */
	bool wanted;       /* a notification or a full batch: claim again [mu] */
	int64_t next_poll_us; /* [mu] */
	struct held *qhead, *qtail; /* claimed, not started, in claim order [mu] */
	int queued;        /* [mu] */
	int claim_size;    /* adapts between the pool's size and fetch_batch [mu] */
	int64_t last_claim_us; /* [mu] */
	struct executor *executors; /* [mu] */
	pthread_cond_t cond;
};

struct worker_stats {
	atomic_ullong started, completed, retried, discarded, cancelled, snoozed, released, lost,
		timeouts, duration_ms;
};

struct worker {
	char id[WORKER_ID_MAX]; /* locked_by: host/slot:pid:random (identity.h) */
	char *db_url;
	int connect_timeout_ms, statement_timeout_ms;

	/* tunables, replaced on SIGHUP */
	atomic_llong poll_ms, lease_ms, heartbeat_ms, job_timeout_ms, fetch_batch;

	pthread_mutex_t mu;
	bool stopping; /* no more claims [mu] */
	struct pool pools[NPOOLS];
	struct held *held; /* the registry [mu] */
	int nheld;         /* [mu] */

	/* completer */
	struct outcome *out_head, *out_tail; /* waiting [mu] */
	struct outcome *out_busy;            /* being written [mu] */
	bool out_stop;                       /* drain and leave [mu] */
	int64_t out_drain_until_us;          /* [mu] */
	pthread_cond_t out_cond;

	/* heartbeat */
	bool hb_stop; /* [mu] */
	pthread_cond_t hb_cond;

	/* listener */
	atomic_int listen_stop;
	int wake_fd; /* eventfd that interrupts the listener's poll */

	pthread_cond_t main_cond; /* an executor exited or went idle [mu] */
	struct worker_stats stats;
};

/* completer.c */
void *completer_main(void *arg);
/* Queue an outcome for the completer (o is taken over). [mu] */
void outcome_push(struct worker *w, struct outcome *o);
/* A new outcome for ref; error copied (may be NULL). NULL when out of
 * memory (logged: the job stays running under this worker until the
 * heartbeat releases it as an orphan). */
struct outcome *outcome_new(const struct claim_ref *ref, bool complete, enum claim_op op,
			    const char *error, int64_t delay_ms);
/* Whether the completer holds an outcome for job id. [mu] */
bool outcome_pending(const struct worker *w, int64_t id);

/* heartbeat.c */
void *heartbeat_main(void *arg);

/* listener.c */
void *listener_main(void *arg);

/* A fresh connection handle with the worker's settings (NULL: no memory). */
struct db *worker_db(const struct worker *w);

#endif

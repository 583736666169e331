/*
 * executor: the threads that claim and run jobs (docs/internals/queue.md).
 *
 * The executors of a pool share one queue of claimed jobs. An idle
 * executor takes the next queued job. One of them (never two at once)
 * claims for the pool, an adaptive number of jobs per round trip (see
 * next_claim_size; at most worker.fetch_batch): when
 * the queue is empty, or, while the last claim came back full (more jobs
 * are due), as soon as fewer jobs are queued than the pool has executors,
 * so the next batch is on its way before the executors run dry. A claimed
 * job may wait briefly in the queue; its lease is renewed like a running
 * one's, and at shutdown it is released untouched.
 */
#include "executor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "kinds.h"
#include "stats.h"

#define ARENA_BLOCK (64 * 1024)
#define ARENA_MAX (64u * 1024 * 1024)
#define CLAIM_RETRY_MS 500 /* after a failed claim */

/* ---- held jobs ---------------------------------------------------------- */

static struct held *held_new(const struct claim_row *c)
{
	size_t nk = strlen(c->kind) + 1, na = strlen(c->args) + 1;
	size_t nr = c->request_id ? strlen(c->request_id) + 1 : 0;
	struct held *h = calloc(1, sizeof(*h) + nk + na + nr);

	if (!h)
		return NULL;
	h->kind = (char *)(h + 1);
	memcpy(h->kind, c->kind, nk);
	h->args = h->kind + nk;
	memcpy(h->args, c->args, na);
	if (nr) {
		h->request_id = h->args + na;
		memcpy(h->request_id, c->request_id, nr);
	}
	h->ref = c->ref;
	h->max_attempts = c->max_attempts;
	h->priority = c->priority;
	h->cancel_at_claim = c->cancel_requested;
	h->rerun = c->rerun;
	h->started = c->started;
	return h;
}

void held_free(struct held *h)
{
	free(h);
}

void held_add(struct worker *w, struct held *h)
{
	h->claimed_us = now_mono_us();
	h->prev = NULL;
	h->next = w->held;
	if (w->held)
		w->held->prev = h;
	w->held = h;
	w->nheld++;
}

void held_remove(struct worker *w, struct held *h)
{
	if (h->prev)
		h->prev->next = h->next;
	else if (w->held == h)
		w->held = h->next;
	else
		return; /* not in the registry */
	if (h->next)
		h->next->prev = h->prev;
	h->prev = h->next = NULL;
	w->nheld--;
}

/* ---- pools -------------------------------------------------------------- */

void pool_wake(struct worker *w, int prio)
{
	pthread_mutex_lock(&w->mu);
	for (int i = 0; i < NPOOLS; i++) {
		struct pool *p = &w->pools[i];
		if (prio >= 0 && !(p->allowed & (1u << prio)))
			continue;
		p->wanted = true;
		pthread_cond_broadcast(&p->cond);
	}
	pthread_mutex_unlock(&w->mu);
}

static void release_one(struct worker *w, struct held *h)
{
	struct outcome *o = outcome_new(&h->ref, false, CLAIM_RELEASE, NULL, 0);

	if (o)
		outcome_push(w, o);
	stats_count(w, h->kind, JT_RELEASED);
}

void pool_release_queue(struct worker *w, struct pool *p)
{
	struct held *h;

	while ((h = p->qhead)) {
		p->qhead = h->qnext;
		held_remove(w, h);
		release_one(w, h);
		held_free(h);
	}
	p->qtail = NULL;
	p->queued = 0;
}

/* How many jobs the next claim asks for. It starts at the pool's size and
 * doubles while claims follow each other quickly (short jobs: fewer round
 * trips per job), up to worker.fetch_batch, and halves when they are far
 * apart (long jobs: a worker should not hold many that another worker could
 * start). Called with w->mu held. */
static int next_claim_size(struct worker *w, struct pool *p)
{
	int64_t now = now_mono_us(), batch = atomic_load(&w->fetch_batch);
	int floor = p->live > 0 ? p->live : 1, size = p->claim_size ? p->claim_size : floor;

	if (p->last_claim_us && now - p->last_claim_us < 100000)
		size *= 2;
	else if (p->last_claim_us && now - p->last_claim_us > 1000000)
		size /= 2;
	if (size < floor)
		size = floor;
	if (size > batch)
		size = (int)batch;
	p->claim_size = size;
	p->last_claim_us = now;
	return size;
}

/* Claim up to limit jobs for the pool on ex's connection and queue them.
 * Called and returns with w->mu held (released during the query). */
static void claim_for_pool(struct executor *ex, int limit)
{
	struct worker *w = ex->w;
	struct pool *p = ex->pool;
	struct claim_row *rows;
	int n = 0, got = 0;

	/* the idle executors (this one included) take the first rows at once:
	 * the claim marks those started; the others are marked when they start */
	int start_now = p->idle;

	p->claiming = true;
	p->wanted = false;
	pthread_mutex_unlock(&w->mu);
	enum app_err e = claim_jobs(ex->db, ex->arena, w->id, p->allowed, limit, start_now,
				    atomic_load(&w->lease_ms), &rows, &n);
	struct held **hs = n ? calloc((size_t)n, sizeof(*hs)) : NULL;
	for (int i = 0; i < n && hs; i++)
		hs[i] = held_new(&rows[i]); /* a NULL here is an orphan the heartbeat releases */
	arena_reset(ex->arena);
	pthread_mutex_lock(&w->mu);
	for (int i = 0; i < n && hs; i++) {
		struct held *h = hs[i];
		if (!h)
			continue;
		held_add(w, h);
		got++;
		if (w->stopping || p->live == 0) {
			/* shutting down while the claim ran: hand them straight back */
			held_remove(w, h);
			release_one(w, h);
			held_free(h);
			continue;
		}
		h->qnext = NULL;
		if (p->qtail)
			p->qtail->qnext = h;
		else
			p->qhead = h;
		p->qtail = h;
		p->queued++;
	}
	free(hs);
	p->claiming = false;
	int64_t poll_us = atomic_load(&w->poll_ms) * 1000;
	if (e) {
		/* the database is away: the db layer logs it; try again later */
		p->next_poll_us = now_mono_us() + (poll_us > CLAIM_RETRY_MS * 1000 ? poll_us
										: CLAIM_RETRY_MS * 1000);
	} else {
		/* a full batch suggests more are due: claim again as soon as an
		 * executor is free, without waiting for the poll */
		if (got >= limit)
			p->wanted = true;
		p->next_poll_us = now_mono_us() + poll_us;
	}
	pthread_cond_broadcast(&p->cond);
}

/* ---- running one job ---------------------------------------------------- */

/* Error text safe for jsonb: valid UTF-8 (other bytes become '?'). */
static void clean_utf8(char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		size_t k = buf_utf8_seq_len(s + i, n - i);
		if (k == 0) {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}

static void log_job(enum log_level lvl, const char *event, const struct held *h,
		    const char *msg, int64_t duration_ms, const char *state, const char *error)
{
	char id[24], attempt[16], dur[24];
	struct log_field f[7];
	size_t n = 0;

	if (!log_enabled(lvl))
		return;
	snprintf(id, sizeof(id), "%lld", (long long)h->ref.id);
	snprintf(attempt, sizeof(attempt), "%d", h->ref.attempt);
	f[n++] = (struct log_field){"kind", h->kind};
	f[n++] = (struct log_field){"job_id", id};
	f[n++] = (struct log_field){"attempt", attempt};
	if (duration_ms >= 0) {
		snprintf(dur, sizeof(dur), "%lld", (long long)duration_ms);
		f[n++] = (struct log_field){"duration_ms", dur};
	} else {
		f[n++] = (struct log_field){"priority", job_priority_name(h->priority)};
	}
	if (state)
		f[n++] = (struct log_field){"state", state};
	if (error)
		f[n++] = (struct log_field){"error", error};
	log_fields(lvl, event, msg, f, n);
}

static void set_request_id(const struct held *h)
{
	char rid[40];

	if (h->request_id) {
		log_set_request_id(h->request_id);
		return;
	}
	snprintf(rid, sizeof(rid), "job-%lld", (long long)h->ref.id);
	log_set_request_id(rid);
}

/* A per-thread generator for the retry jitter (quality is no concern). */
static double jitter01(void)
{
	static _Thread_local uint64_t s;

	if (!s)
		s = (uint64_t)now_real_us() ^ ((uint64_t)(uintptr_t)&s << 16) ^ 0x9e3779b97f4a7c15u;
	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (double)(s >> 11) / 9007199254740992.0;
}

static void count_outcome(struct worker *w, const struct held *h, enum claim_op op,
			  const char *state)
{
	switch (op) {
	case CLAIM_RETRY:
	case CLAIM_DISCARD:
		stats_count(w, h->kind,
			    state && !strcmp(state, "discarded") ? JT_DISCARDED : JT_RETRIED);
		break;
	case CLAIM_CANCEL:
		stats_count(w, h->kind, JT_CANCELLED);
		break;
	case CLAIM_SNOOZE:
		stats_count(w, h->kind, JT_SNOOZED);
		break;
	case CLAIM_RELEASE:
		stats_count(w, h->kind, JT_RELEASED);
		break;
	}
}

/* The job is no longer in the registry's care: drop it from there and
 * free it (the executor still owns it, even when abandoned). */
static void done_with(struct executor *ex, struct held *h)
{
	pthread_mutex_lock(&ex->w->mu);
	held_remove(ex->w, h);
	pthread_mutex_unlock(&ex->w->mu);
}

/* Write a non-completion outcome on the executor's connection; when the
 * database cannot take it now, the completer keeps trying. */
static void write_outcome(struct executor *ex, struct held *h, enum claim_op op, const char *error,
			  int64_t delay_ms, int64_t duration_ms)
{
	struct worker *w = ex->w;
	bool applied = false;
	const char *state = NULL;
	enum app_err e =
		claim_finish(ex->db, ex->arena, w->id, &h->ref, op, error, delay_ms, &applied, &state);

	if (e) {
		struct outcome *o = outcome_new(&h->ref, false, op, error, delay_ms);
		pthread_mutex_lock(&w->mu);
		held_remove(w, h);
		if (o)
			outcome_push(w, o);
		pthread_mutex_unlock(&w->mu);
		log_job(LL_WARN, "job.outcome_deferred", h,
			"database unavailable: the outcome is written when it is back", duration_ms,
			NULL, error);
		count_outcome(w, h, op, NULL);
		return;
	}
	done_with(ex, h);
	if (!applied) {
		stats_count(w, h->kind, JT_LOST);
		log_job(LL_WARN, "job.lost", h, "no longer this worker's (rescued): result dropped",
			duration_ms, NULL, error);
		return;
	}
	count_outcome(w, h, op, state);
	switch (op) {
	case CLAIM_RETRY:
	case CLAIM_DISCARD: {
		char msg[96];
		if (!strcmp(state, "discarded"))
			snprintf(msg, sizeof(msg), "discarded");
		else
			snprintf(msg, sizeof(msg), "retry in %lld ms", (long long)delay_ms);
		log_job(LL_WARN, "job.failed", h, msg, duration_ms, state, error);
		break;
	}
	case CLAIM_SNOOZE: {
		char msg[64];
		snprintf(msg, sizeof(msg), "snoozed for %lld ms", (long long)delay_ms);
		log_job(LL_INFO, "job.snoozed", h, msg, duration_ms, state, NULL);
		break;
	}
	case CLAIM_CANCEL:
		log_job(LL_INFO, "job.cancelled", h, NULL, duration_ms, state, NULL);
		break;
	case CLAIM_RELEASE:
		log_job(LL_INFO, "job.released", h, NULL, duration_ms, state, NULL);
		break;
	}
}

/* Begin the transaction of a transactional kind; its statements may run
 * until the deadline at most. */
static enum app_err begin_tx(struct db *db, int64_t timeout_ms)
{
	char sql[64];
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	snprintf(sql, sizeof(sql), "SET LOCAL statement_timeout = %lld",
		 (long long)(timeout_ms > 0 ? timeout_ms : 1));
	if ((e = db_exec(db, sql)))
		db_rollback(db);
	return e;
}

/* Still the transaction begun for the job: same server process, open, not
 * failed. A handler statement that met a broken connection leaves the db
 * handle to reconnect, and the new connection has no transaction. */
static bool tx_intact(struct db *db, int backend_pid)
{
	PGconn *c = db_conn(db);

	return c && PQbackendPID(c) == backend_pid && PQtransactionStatus(c) == PQTRANS_INTRANS;
}

/* Complete a transactional job inside its transaction and commit. Returns
 * true when that is settled (committed, or found not ours); false with an
 * error in err when the attempt must be recorded as failed. */
static bool commit_tx_job(struct executor *ex, struct held *h, int backend_pid, char *err,
			  size_t errlen, int64_t duration_ms)
{
	struct worker *w = ex->w;
	bool applied = false;

	if (!tx_intact(ex->db, backend_pid)) {
		db_rollback(ex->db);
		snprintf(err, errlen, "database connection lost during the job");
		return false;
	}
	if (claim_complete(ex->db, ex->arena, w->id, &h->ref, 1, &applied)) {
		db_rollback(ex->db);
		snprintf(err, errlen, "database error while completing the job");
		return false;
	}
	if (!applied) {
		db_rollback(ex->db);
		done_with(ex, h);
		stats_count(w, h->kind, JT_LOST);
		log_job(LL_WARN, "job.lost", h, "no longer this worker's (rescued): rolled back",
			duration_ms, NULL, NULL);
		return true;
	}
	if (db_commit(ex->db)) {
		/* maybe committed, maybe not: the failure write below is guarded
		 * and changes nothing if the completion went through */
		snprintf(err, errlen, "database error at commit");
		return false;
	}
	done_with(ex, h);
	stats_count(w, h->kind, JT_COMPLETED);
	log_job(LL_INFO, "job.done", h, NULL, duration_ms, "completed", NULL);
	return true;
}

static void free_json(void *p)
{
	cJSON_Delete(p);
}

static enum job_outcome run_handler(struct executor *ex, struct held *h, const struct job_kind *k,
				    struct job_result *res, int *backend_pid, int64_t timeout_ms)
{
	struct json_limits lim = {(size_t)1 << 24, 64};
	cJSON *args = NULL;

	if (!k)
		return job_error(res, JOB_FAIL, "unknown kind");
	if (h->cancel_at_claim)
		return job_error(res, JOB_CANCEL, "cancelled before it ran");
	if (json_parse(h->args, strlen(h->args), &lim, &args, NULL) || !cJSON_IsObject(args)) {
		cJSON_Delete(args);
		return job_error(res, JOB_FAIL, "args are not a JSON object");
	}
	if (arena_defer(ex->arena, free_json, args) < 0)
		return job_error(res, JOB_RETRY, "out of memory");
	struct job job = {
		.id = h->ref.id,
		.kind = h->kind,
		.args = args,
		.attempt = h->ref.attempt,
		.max_attempts = h->max_attempts,
		.priority = h->priority,
		.request_id = h->request_id,
		.deadline_us = h->deadline_us,
		.rerun = h->rerun,
	};
	struct job_ctx ctx = {ex->db, ex->arena, &h->cancel, &job, ex->w->id};
	if (k->transactional) {
		if (begin_tx(ex->db, timeout_ms))
			return job_error(res, JOB_RETRY, "database unavailable");
		*backend_pid = PQbackendPID(db_conn(ex->db));
	}
	return k->fn(&ctx, &job, res);
}

/* A job the claim did not mark started is marked before its handler runs,
 * so that a rescue after this point counts the attempt (a job that crashes
 * its worker must use up its attempts). When the mark cannot be written
 * the job is handed back unstarted; when the claim is no longer ours it is
 * dropped. Returns whether the job may run. */
static bool mark_started(struct executor *ex, struct held *h)
{
	struct worker *w = ex->w;
	bool applied = false;

	if (h->started)
		return true;
	enum app_err e = claim_mark_started(ex->db, ex->arena, w->id, &h->ref, &applied);
	arena_reset(ex->arena);
	if (!e && applied)
		return true;
	pthread_mutex_lock(&w->mu);
	bool decided = h->abandoned; /* released by a shutdown meanwhile */
	held_remove(w, h);
	if (e && !decided) {
		struct outcome *o = outcome_new(&h->ref, false, CLAIM_RELEASE, NULL, 0);
		if (o)
			outcome_push(w, o);
	}
	pthread_mutex_unlock(&w->mu);
	if (decided)
		return false;
	set_request_id(h);
	if (e) {
		stats_count(w, h->kind, JT_RELEASED);
		log_job(LL_WARN, "job.released", h, "cannot record its start: handed back unstarted",
			-1, NULL, NULL);
	} else {
		stats_count(w, h->kind, JT_LOST);
		log_job(LL_WARN, "job.lost", h, "no longer this worker's before it started", -1, NULL,
			NULL);
	}
	log_set_request_id(NULL);
	db_end_work(ex->db);
	return false;
}

static void run_job(struct executor *ex, struct held *h)
{
	struct worker *w = ex->w;
	const struct job_kind *k = kinds_find(h->kind);
	int64_t timeout_ms = k && k->timeout_ms > 0 ? k->timeout_ms : atomic_load(&w->job_timeout_ms);
	int64_t start = now_mono_us(), grace_ms = timeout_ms / 10;
	struct job_result result = {{0}, 0}, *res = &result;
	int backend_pid = 0;

	if (grace_ms < 1000)
		grace_ms = 1000;
	if (grace_ms > 30000)
		grace_ms = 30000;
	pthread_mutex_lock(&w->mu);
	h->deadline_us = start + timeout_ms * 1000;
	h->grace_us = grace_ms * 1000;
	pthread_mutex_unlock(&w->mu);
	set_request_id(h);
	atomic_fetch_add(&w->stats.started, 1);
	log_job(LL_INFO, "job.start", h, NULL, -1, NULL, NULL);

	enum job_outcome o = run_handler(ex, h, k, res, &backend_pid, timeout_ms);
	int64_t end = now_mono_us(), duration_ms = (end - start) / 1000;
	bool tx = k && k->transactional && backend_pid != 0;
	atomic_fetch_add(&w->stats.duration_ms, (unsigned long long)duration_ms);

	pthread_mutex_lock(&w->mu);
	h->phase = HELD_FINISHING;
	bool abandoned = h->abandoned, lost = h->lost;
	pthread_mutex_unlock(&w->mu);

	if (abandoned || lost) {
		/* the outcome was decided without us (watchdog, shutdown) or the
		 * job is someone else's now: whatever the handler did stays
		 * uncommitted */
		if (tx)
			db_rollback(ex->db);
		log_job(LL_WARN, lost ? "job.lost" : "job.abandoned", h,
			lost ? "lease lost while it ran: result dropped"
			     : "handler returned after its outcome was decided: result dropped",
			duration_ms, NULL, NULL);
		done_with(ex, h);
		goto out;
	}
	if (end > h->deadline_us) {
		atomic_fetch_add(&w->stats.timeouts, 1);
		o = job_error(res, JOB_RETRY, "timeout: ran %lld ms, limit %lld ms",
			      (long long)duration_ms, (long long)timeout_ms);
	}
	if (tx) {
		if (o == JOB_OK) {
			char err[128];
			if (commit_tx_job(ex, h, backend_pid, err, sizeof(err), duration_ms))
				goto out;
			o = job_error(res, JOB_RETRY, "%s", err);
		} else {
			db_rollback(ex->db);
		}
	}
	if (o == JOB_OK) {
		/* the completer marks it completed with others in one statement */
		struct outcome *oc = outcome_new(&h->ref, true, CLAIM_RETRY, NULL, 0);
		pthread_mutex_lock(&w->mu);
		held_remove(w, h);
		if (oc)
			outcome_push(w, oc);
		pthread_mutex_unlock(&w->mu);
		stats_count(w, h->kind, JT_COMPLETED);
		log_job(LL_INFO, "job.done", h, NULL, duration_ms, "completed", NULL);
		goto out;
	}
	clean_utf8(res->error);
	switch (o) {
	case JOB_RETRY:
		write_outcome(ex, h, CLAIM_RETRY, res->error[0] ? res->error : "failed",
			      claim_backoff_ms(h->ref.attempt, jitter01()), duration_ms);
		break;
	case JOB_FAIL:
		write_outcome(ex, h, CLAIM_DISCARD, res->error[0] ? res->error : "failed", 0,
			      duration_ms);
		break;
	case JOB_SNOOZE:
		write_outcome(ex, h, CLAIM_SNOOZE, NULL, res->snooze_ms > 0 ? res->snooze_ms : 1000,
			      duration_ms);
		break;
	case JOB_CANCEL:
		write_outcome(ex, h, CLAIM_CANCEL, NULL, 0, duration_ms);
		break;
	case JOB_OK:
		break;
	}
out:
	db_end_work(ex->db);
	log_set_request_id(NULL);
	arena_reset(ex->arena);
}

/* ---- the thread --------------------------------------------------------- */

static void *executor_main(void *arg)
{
	struct executor *ex = arg;
	struct worker *w = ex->w;
	struct pool *p = ex->pool;

	pthread_mutex_lock(&w->mu);
	p->idle++;
	for (;;) {
		if (ex->retire || w->stopping)
			break;
		if (!p->claiming && p->wanted && p->qhead && p->queued < p->live) {
			claim_for_pool(ex, next_claim_size(w, p));
			continue;
		}
		struct held *h = p->qhead;
		if (h) {
			p->qhead = h->qnext;
			if (!p->qhead)
				p->qtail = NULL;
			p->queued--;
			p->idle--;
			h->phase = HELD_RUNNING;
			ex->current = h;
			pthread_mutex_unlock(&w->mu);
			if (mark_started(ex, h))
				run_job(ex, h);
			pthread_mutex_lock(&w->mu);
			ex->current = NULL;
			held_free(h);
			p->idle++;
			pthread_cond_broadcast(&w->main_cond);
			continue;
		}
		int64_t now = now_mono_us();
		if (!p->claiming && (p->wanted || now >= p->next_poll_us)) {
			claim_for_pool(ex, next_claim_size(w, p));
			continue;
		}
		int64_t until = p->claiming ? now + atomic_load(&w->poll_ms) * 1000 : p->next_poll_us;
		struct timespec ts = {(time_t)(until / 1000000), (long)(until % 1000000) * 1000};
		pthread_cond_timedwait(&p->cond, &w->mu, &ts);
	}
	p->idle--;
	if (ex->retire && p->live == 0)
		pool_release_queue(w, p); /* nobody left to run them */
	ex->exited = true;
	pthread_cond_broadcast(&w->main_cond);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

int executor_start(struct worker *w, struct pool *p)
{
	struct executor *ex = calloc(1, sizeof(*ex));

	if (!ex || !(ex->db = worker_db(w)) || !(ex->arena = arena_new(ARENA_BLOCK, ARENA_MAX))) {
		if (ex)
			db_free(ex->db);
		free(ex);
		log_error("worker.executor", "out of memory starting an executor");
		return -1;
	}
	ex->w = w;
	ex->pool = p;
	if (pthread_create(&ex->thread, NULL, executor_main, ex)) {
		log_error("worker.executor", "cannot start an executor thread");
		arena_free(ex->arena);
		db_free(ex->db);
		free(ex);
		return -1;
	}
	ex->next = p->executors;
	p->executors = ex;
	p->live++;
	return 0;
}

void executor_free(struct executor *ex)
{
	arena_free(ex->arena);
	db_free(ex->db);
	free(ex);
}

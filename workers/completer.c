/*
 * completer: one thread with its own connection that writes outcomes the
 * executors hand over: completions, many per statement, and any outcome an
 * executor could not write because the database was away. It keeps what it
 * cannot write and tries again; the jobs stay `running` under this worker's
 * lease meanwhile (the heartbeat renews every running job of the worker,
 * whether an executor or the completer holds it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/text.h"
#include "executor.h"

#define BATCH_MAX 1000
#define RETRY_MS 250

struct outcome *outcome_new(const struct claim_ref *ref, bool complete, enum claim_op op,
			    const char *error, int64_t delay_ms)
{
	struct outcome *o = calloc(1, sizeof(*o));

	if (!o || (error && !(o->error = strdup(error)))) {
		free(o);
		log_error("worker.outcome",
			  "out of memory: job %lld stays running until the heartbeat releases it "
			  "as an orphan",
			  (long long)ref->id);
		return NULL;
	}
	o->ref = *ref;
	o->complete = complete;
	o->op = op;
	o->delay_ms = delay_ms;
	return o;
}

static void outcome_free(struct outcome *o)
{
	free(o->error);
	free(o);
}

void outcome_push(struct worker *w, struct outcome *o)
{
	o->next = NULL;
	if (w->out_tail)
		w->out_tail->next = o;
	else
		w->out_head = o;
	w->out_tail = o;
	pthread_cond_signal(&w->out_cond);
}

bool outcome_pending(const struct worker *w, int64_t id)
{
	for (const struct outcome *o = w->out_head; o; o = o->next)
		if (o->ref.id == id)
			return true;
	for (const struct outcome *o = w->out_busy; o; o = o->next)
		if (o->ref.id == id)
			return true;
	return false;
}

static void log_lost(int64_t id, const char *what)
{
	char rid[40];

	snprintf(rid, sizeof(rid), "job-%lld", (long long)id);
	log_set_request_id(rid);
	log_warn("job.lost", "%s: job %lld is no longer this worker's (rescued)", what,
		 (long long)id);
	log_set_request_id(NULL);
}

/* Write a batch. Links are left alone (the heartbeat reads them under the
 * lock); what was written gets tries = -1, what failed for a passing
 * reason a higher count. */
static void write_batch(struct worker *w, struct db *db, struct arena *a, struct outcome *batch)
{
	struct claim_ref refs[BATCH_MAX];
	bool applied[BATCH_MAX];
	struct outcome *done_list[BATCH_MAX];
	size_t n = 0;

	for (struct outcome *o = batch; o; o = o->next)
		if (o->complete && n < BATCH_MAX) {
			refs[n] = o->ref;
			done_list[n++] = o;
		}
	if (n) {
		enum app_err e = claim_complete(db, a, w->id, refs, n, applied);
		for (size_t i = 0; i < n; i++) {
			struct outcome *o = done_list[i];
			if (e == APP_ERR_DB || e == APP_ERR_NOMEM) {
				o->tries++;
				continue;
			}
			if (e)
				log_error("worker.outcome", "job %lld: completion refused by the database",
					  (long long)o->ref.id);
			/* after a failed try the first write may have gone through
			 * unseen: then "not applied" is no news */
			else if (!applied[i] && o->tries == 0)
				log_lost(o->ref.id, "completion");
			o->tries = -1;
		}
		arena_reset(a);
	}
	for (struct outcome *o = batch; o; o = o->next) {
		if (o->complete)
			continue;
		bool ok = false;
		enum app_err e = claim_finish(db, a, w->id, &o->ref, o->op, o->error, o->delay_ms,
					      &ok, NULL);
		arena_reset(a);
		if (e == APP_ERR_DB || e == APP_ERR_NOMEM) {
			o->tries++;
			continue;
		}
		if (e)
			log_error("worker.outcome", "job %lld: outcome refused by the database",
				  (long long)o->ref.id);
		else if (!ok && o->op != CLAIM_RELEASE && o->tries == 0)
			log_lost(o->ref.id, "deferred outcome");
		o->tries = -1;
	}
}

void *completer_main(void *arg)
{
	struct worker *w = arg;
	struct db *db = worker_db(w);
	struct arena *a = arena_new(64 * 1024, 64u * 1024 * 1024);

	if (!db || !a) {
		log_error("worker.completer", "out of memory");
		abort(); /* the worker cannot record completions: let systemd restart it */
	}
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->out_head && !w->out_stop)
			pthread_cond_wait(&w->out_cond, &w->mu);
		if (!w->out_head)
			break;
		/* take up to BATCH_MAX */
		struct outcome *batch = w->out_head, *last = batch;
		for (int i = 1; i < BATCH_MAX && last->next; i++)
			last = last->next;
		w->out_head = last->next;
		if (!w->out_head)
			w->out_tail = NULL;
		last->next = NULL;
		w->out_busy = batch;
		pthread_mutex_unlock(&w->mu);

		write_batch(w, db, a, batch);

		pthread_mutex_lock(&w->mu);
		w->out_busy = NULL;
		struct outcome *retry = NULL, **rtail = &retry, *o, *next;
		for (o = batch; o; o = next) {
			next = o->next;
			if (o->tries < 0) {
				outcome_free(o);
				continue;
			}
			o->next = NULL;
			*rtail = o;
			rtail = &o->next;
		}
		if (!retry)
			continue;
		/* back to the front, in order, then wait a little */
		struct outcome *t = retry;
		while (t->next)
			t = t->next;
		t->next = w->out_head;
		w->out_head = retry;
		if (!w->out_tail)
			w->out_tail = t;
		if (w->out_stop && now_mono_us() >= w->out_drain_until_us) {
			int dropped = 0;
			for (o = w->out_head; o; o = next) {
				next = o->next;
				outcome_free(o);
				dropped++;
			}
			w->out_head = w->out_tail = NULL;
			log_error("worker.completer",
				  "database unavailable at shutdown: %d outcomes not written; those "
				  "jobs are retried when their lease expires",
				  dropped);
			break;
		}
		int64_t until = now_mono_us() + RETRY_MS * 1000;
		struct timespec ts = {(time_t)(until / 1000000), (long)(until % 1000000) * 1000};
		pthread_cond_timedwait(&w->out_cond, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	arena_free(a);
	db_free(db);
	return NULL;
}

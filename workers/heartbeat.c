/*
 * heartbeat: one thread with its own connection that, every
 * worker.heartbeat, renews the lease of every job this worker has running
 * (one UPDATE … WHERE locked_by = me AND state = 'running') and learns from
 * the same statement which of them an operator asked to cancel. Between
 * beats it ticks every 100 ms as the watchdog of the jobs' deadlines.
 *
 * What a beat also finds:
 *  - a job of ours that the UPDATE did not return was taken from us (the
 *    rescuer re-queued it after our lease ran out): its handler is told to
 *    stop and its result will be dropped;
 *  - a running job locked by us that we have no record of is an orphan (a
 *    claim whose reply was lost with the connection): after ORPHAN_AFTER
 *    it is released.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/text.h"
#include "executor.h"
#include "stats.h"

#define TICK_US (100 * 1000)
#define MAX_SUSPECTS 256
#define ORPHAN_AFTER_US (5 * 1000 * 1000)

struct suspect {
	int64_t id;
	int64_t since_us;
};

static void job_log(const struct held *h, enum log_level lvl, const char *event, const char *msg)
{
	char rid[40];

	if (h->request_id) {
		log_set_request_id(h->request_id);
	} else {
		snprintf(rid, sizeof(rid), "job-%lld", (long long)h->ref.id);
		log_set_request_id(rid);
	}
	log_msg(lvl, event, "%s (kind %s, job %lld, attempt %d)", msg, h->kind,
		(long long)h->ref.id, h->ref.attempt);
	log_set_request_id(NULL);
}

static void stop_flag(struct held *h)
{
	__atomic_store_n(&h->cancel, 1, __ATOMIC_RELAXED);
}

/* Deadlines of running jobs. [mu] */
static void watchdog(struct worker *w, int64_t now)
{
	struct held *h, *next;

	for (h = w->held; h; h = next) {
		next = h->next;
		if (h->phase != HELD_RUNNING || h->deadline_us == 0 || h->lost || h->abandoned)
			continue;
		if (now >= h->deadline_us && !h->overdue) {
			h->overdue = true;
			stop_flag(h);
			job_log(h, LL_WARN, "job.timeout", "deadline passed: asking the handler to stop");
		}
		if (now < h->deadline_us + h->grace_us)
			continue;
		/* the handler ignores its deadline: record the failed attempt
		 * now; its executor stays busy until the handler returns */
		char err[160];
		snprintf(err, sizeof(err),
			 "timeout: the handler did not return within %lld ms of its deadline",
			 (long long)(h->grace_us / 1000));
		struct outcome *o = outcome_new(&h->ref, false, CLAIM_RETRY, err,
						claim_backoff_ms(h->ref.attempt, 0.5));
		h->abandoned = true;
		held_remove(w, h);
		if (o)
			outcome_push(w, o);
		atomic_fetch_add(&w->stats.timeouts, 1);
		job_log(h, LL_ERROR, "job.timeout",
			"handler overran its deadline and grace: attempt recorded as failed, "
			"executor occupied until it returns");
	}
}

/* The held job of exactly this claim (the same job may be held twice: a
 * claim rescued from under this worker and the worker's new claim). */
static struct held *find_held(struct worker *w, const struct claim_ref *ref)
{
	for (struct held *h = w->held; h; h = h->next)
		if (h->ref.id == ref->id && h->ref.attempt == ref->attempt && h->ref.at_us == ref->at_us)
			return h;
	return NULL;
}

static void drop_queued(struct worker *w, struct held *h)
{
	for (int i = 0; i < NPOOLS; i++) {
		struct pool *p = &w->pools[i];
		struct held **pp = &p->qhead, *prev = NULL;
		for (; *pp; prev = *pp, pp = &(*pp)->qnext) {
			if (*pp != h)
				continue;
			*pp = h->qnext;
			if (p->qtail == h)
				p->qtail = prev;
			p->queued--;
			return;
		}
	}
}

/* Jobs we hold that the beat (which started at q0) did not renew. [mu] */
static void find_lost(struct worker *w, unsigned round, int64_t q0)
{
	struct held *h, *next;

	for (h = w->held; h; h = next) {
		next = h->next;
		if (h->seen == round || h->claimed_us >= q0 || h->lost || h->abandoned ||
		    h->phase == HELD_FINISHING)
			continue;
		stats_count(w, h->kind, JT_LOST);
		held_remove(w, h);
		if (h->phase == HELD_QUEUED) {
			drop_queued(w, h);
			job_log(h, LL_WARN, "job.lost", "lease lost before it started: dropped");
			held_free(h);
			continue;
		}
		h->lost = true;
		stop_flag(h);
		job_log(h, LL_WARN, "job.lost",
			"lease lost while it runs (rescued by another worker): asking the handler "
			"to stop, its result will be dropped");
	}
}

void *heartbeat_main(void *arg)
{
	struct worker *w = arg;
	struct db *db = worker_db(w);
	struct arena *a = arena_new(64 * 1024, 64u * 1024 * 1024);
	struct suspect sus[MAX_SUSPECTS], nsus[MAX_SUSPECTS];
	int ns = 0;
	unsigned round = 0;
	int64_t next_beat = 0;

	if (!db || !a) {
		log_error("worker.heartbeat", "out of memory");
		abort();
	}
	pthread_mutex_lock(&w->mu);
	while (!w->hb_stop) {
		int64_t now = now_mono_us();
		watchdog(w, now);
		if (now >= next_beat) {
			PGresult *r = NULL;
			int64_t orphans[MAX_SUSPECTS];
			int norphans = 0, nn = 0;

			round++;
			pthread_mutex_unlock(&w->mu);
			enum app_err e = claim_heartbeat(db, a, w->id, atomic_load(&w->lease_ms), &r);
			pthread_mutex_lock(&w->mu);
			for (int i = 0; !e && i < PQntuples(r); i++) {
				struct claim_ref ref;
				/* an unreadable row makes the round a failed one */
				if ((e = db_get_int64(r, i, 0, &ref.id)) ||
				    (e = db_get_int(r, i, 2, &ref.attempt)) ||
				    (e = db_get_int64(r, i, 3, &ref.at_us)))
					break;
				int64_t id = ref.id;
				struct held *h = find_held(w, &ref);
				if (h) {
					h->seen = round;
					if (PQgetvalue(r, i, 1)[0] == 't' && !h->cancel_requested) {
						h->cancel_requested = true;
						stop_flag(h);
						job_log(h, LL_INFO, "job.cancel_requested",
							"cancel requested: asking the handler to stop");
					}
					continue;
				}
				if (outcome_pending(w, id) || nn == MAX_SUSPECTS)
					continue;
				int64_t since = now;
				for (int k = 0; k < ns; k++)
					if (sus[k].id == id)
						since = sus[k].since_us;
				if (now - since >= ORPHAN_AFTER_US && norphans < MAX_SUSPECTS)
					orphans[norphans++] = id;
				else
					nsus[nn++] = (struct suspect){id, since};
			}
			if (!e) {
				find_lost(w, round, now);
				memcpy(sus, nsus, sizeof(sus[0]) * (size_t)nn);
				ns = nn;
			}
			pthread_mutex_unlock(&w->mu);
			arena_reset(a);
			for (int i = 0; i < norphans; i++) {
				log_warn("job.orphan",
					 "job %lld runs under this worker's name but no thread holds it "
					 "(claim reply lost?): releasing it",
					 (long long)orphans[i]);
				claim_release_orphan(db, a, w->id, orphans[i]);
				arena_reset(a);
			}
			pthread_mutex_lock(&w->mu);
			next_beat = now + atomic_load(&w->heartbeat_ms) * 1000;
		}
		int64_t until = now_mono_us() + TICK_US;
		if (until > next_beat)
			until = next_beat;
		struct timespec ts = {(time_t)(until / 1000000), (long)(until % 1000000) * 1000};
		pthread_cond_timedwait(&w->hb_cond, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	arena_free(a);
	db_free(db);
	return NULL;
}

#include "worker.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "app.h"
#include "core/config.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/text.h"
#include "executor.h"
#include "identity.h"
#include "kinds.h"
#include "library_kinds.h"
#include "leader.h"
#include "maintenance.h"
#include "mail_kinds.h"
#include "notify_kinds.h"
#include "stats.h"
#include "version.h"
#include "watcher.h"

extern char **environ;

#define TICK_MS 100
#define STATS_EVERY_US (60LL * 1000 * 1000)
#define ABANDON_WAIT_US (250 * 1000) /* after the release, for handlers to notice */
#define DRAIN_US (5LL * 1000 * 1000) /* the completer's last writes at shutdown */

static volatile sig_atomic_t got_stop, got_reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else
		got_stop = 1;
}

struct db *worker_db(const struct worker *w)
{
	return db_new(w->db_url, w->connect_timeout_ms, w->statement_timeout_ms);
}

/* ---- configuration ------------------------------------------------------ */

/* One line of text for a STATUS= field (the notify protocol is line based). */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

static struct config *load_config(const char *path, bool at_start)
{
	struct config *c = calloc(1, sizeof(*c));
	struct buf err;
	enum app_err e = APP_ERR_NOMEM;

	buf_init(&err, 1024);
	if (c && !(e = config_load(c, path, environ, &err)) && app_config_check(c, &err)) {
		config_release(c);
		e = APP_ERR_VALIDATION;
	}
	if (e) {
		if (at_start)
			fprintf(stderr, "revenge-worker: configuration error: %s\n",
				err.len ? err.data : "out of memory");
		else {
			log_error("worker.reload", "configuration refused, the old one stays: %s",
				  err.len ? err.data : "out of memory");
			one_line(err.data);
			sd_notifyf(0,
				   "READY=1\nERRNO=%d\nSTATUS=reload refused, old configuration kept: %.200s",
				   EINVAL, err.len ? err.data : "out of memory");
		}
		free(c);
		c = NULL;
	}
	buf_release(&err);
	return c;
}

static void free_config(struct config *c)
{
	if (c) {
		config_release(c);
		free(c);
	}
}

static int shared_executors(const struct config *c)
{
	long n = c->worker_executors;

	if (n <= 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		n = n > 0 ? 2 * n : 2;
	}
	return n > 256 ? 256 : (int)n;
}

static void apply_tunables(struct worker *w, const struct config *c)
{
	atomic_store(&w->poll_ms, c->worker_poll_interval);
	atomic_store(&w->lease_ms, c->worker_lease);
	atomic_store(&w->heartbeat_ms, c->worker_heartbeat);
	atomic_store(&w->job_timeout_ms, c->worker_job_timeout);
	atomic_store(&w->fetch_batch, c->worker_fetch_batch);
	for (int p = 0; p < JOB_PRIORITIES; p++)
		w->pools[p].target = (int)c->worker_reserved[p];
	w->pools[POOL_SHARED].target = shared_executors(c);
}

/* ---- pools -------------------------------------------------------------- */

/* Start or retire executors until each pool has its target. [mu] */
static void resize_pools(struct worker *w)
{
	for (int i = 0; i < NPOOLS; i++) {
		struct pool *p = &w->pools[i];
		while (p->live < p->target && executor_start(w, p) == 0)
			;
		/* retire idle executors first, then busy ones after their job */
		for (int pass = 0; pass < 2 && p->live > p->target; pass++)
			for (struct executor *ex = p->executors; ex && p->live > p->target;
			     ex = ex->next) {
				if (ex->retire || (pass == 0 && ex->current))
					continue;
				ex->retire = true;
				p->live--;
			}
		pthread_cond_broadcast(&p->cond);
	}
}

/* Join and free executors whose threads have returned. [mu] */
static void reap_executors(struct worker *w)
{
	for (int i = 0; i < NPOOLS; i++) {
		struct executor **pp = &w->pools[i].executors;
		while (*pp) {
			struct executor *ex = *pp;
			if (!ex->exited) {
				pp = &ex->next;
				continue;
			}
			*pp = ex->next;
			pthread_join(ex->thread, NULL); /* it has left the lock: returns at once */
			executor_free(ex);
		}
	}
}

static int executors_alive(const struct worker *w)
{
	int n = 0;

	for (int i = 0; i < NPOOLS; i++)
		for (const struct executor *ex = w->pools[i].executors; ex; ex = ex->next)
			n += !ex->exited;
	return n;
}

static int running_jobs(const struct worker *w)
{
	int n = 0;

	for (int i = 0; i < NPOOLS; i++)
		for (const struct executor *ex = w->pools[i].executors; ex; ex = ex->next)
			n += ex->current != NULL;
	return n;
}

/* ---- statistics --------------------------------------------------------- */

#define COUNTERS_EVERY_US (5LL * 1000 * 1000)

static void log_stats(struct worker *w, const char *event)
{
	struct worker_stats *s = &w->stats;
	unsigned long long started = atomic_load(&s->started);
	unsigned long long dur = atomic_load(&s->duration_ms);
	int held, queued = 0, running;

	pthread_mutex_lock(&w->mu);
	held = w->nheld;
	running = running_jobs(w);
	for (int i = 0; i < NPOOLS; i++)
		queued += w->pools[i].queued;
	pthread_mutex_unlock(&w->mu);
	log_info(event,
		 "jobs started=%llu completed=%llu retried=%llu discarded=%llu cancelled=%llu "
		 "snoozed=%llu released=%llu lost=%llu timeouts=%llu avg_ms=%llu running=%d "
		 "queued=%d held=%d",
		 started, (unsigned long long)atomic_load(&s->completed),
		 (unsigned long long)atomic_load(&s->retried),
		 (unsigned long long)atomic_load(&s->discarded),
		 (unsigned long long)atomic_load(&s->cancelled),
		 (unsigned long long)atomic_load(&s->snoozed),
		 (unsigned long long)atomic_load(&s->released),
		 (unsigned long long)atomic_load(&s->lost),
		 (unsigned long long)atomic_load(&s->timeouts), started ? dur / started : 0, running,
		 queued, held);
}

static void log_sizes(struct worker *w, const char *event, const char *what)
{
	log_info(event, "%s: worker %s, executors %d shared + reserved %d/%d/%d/%d/%d "
		 "(critical..bulk), fetch_batch %lld, poll %lld ms, lease %lld ms, heartbeat %lld ms",
		 what, w->id, w->pools[POOL_SHARED].target, w->pools[0].target, w->pools[1].target,
		 w->pools[2].target, w->pools[3].target, w->pools[4].target,
		 (long long)atomic_load(&w->fetch_batch), (long long)atomic_load(&w->poll_ms),
		 (long long)atomic_load(&w->lease_ms), (long long)atomic_load(&w->heartbeat_ms));
}

/* ---- reload ------------------------------------------------------------- */

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b));
}

static void reload(struct worker *w, struct config **cfgp, const char *path,
		   struct leader **leader, struct watcher *watcher)
{
	struct config *n, *o = *cfgp;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld\nSTATUS=reloading the configuration",
		   (long long)now_mono_us());
	if (!(n = load_config(path, false)))
		return; /* refused: load_config told systemd */
	if (str_differs(n->database_url, o->database_url) ||
	    n->database_connect_timeout != o->database_connect_timeout ||
	    n->database_statement_timeout != o->database_statement_timeout)
		log_warn("worker.reload", "database settings take effect at the next restart");
	if (n->log_level != o->log_level || n->log_format != o->log_format)
		log_warn("worker.reload", "log settings take effect at the next restart");
	pthread_mutex_lock(&w->mu);
	apply_tunables(w, n);
	resize_pools(w);
	pthread_mutex_unlock(&w->mu);
	maintenance_configure(n);
	library_kinds_configure(n);
	watcher_configure(watcher, n);
	notify_kinds_configure(n);
	mail_kinds_configure(n);
	/* the leader reads schedules and the lease when it starts */
	if (str_differs(n->schedule_retention, o->schedule_retention) ||
	    str_differs(n->schedule_session_cleanup, o->schedule_session_cleanup) ||
	    str_differs(n->schedule_library_scans, o->schedule_library_scans) ||
	    str_differs(n->schedule_metadata_refresh, o->schedule_metadata_refresh) ||
	    str_differs(n->schedule_integration_sync, o->schedule_integration_sync) ||
	    n->worker_lease != o->worker_lease) {
		leader_stop(*leader);
		*leader = leader_start(n, w->id);
	}
	log_sizes(w, "worker.reload", "configuration reloaded");
	free_config(o);
	*cfgp = n;
	sd_notify(0, "READY=1\nSTATUS=running");
}

/* ---- shutdown ----------------------------------------------------------- */

static void timed_wait(pthread_cond_t *c, pthread_mutex_t *mu, int64_t until_us)
{
	struct timespec ts = {(time_t)(until_us / 1000000), (long)(until_us % 1000000) * 1000};
	pthread_cond_timedwait(c, mu, &ts);
}

/* Release the jobs still running: their handlers are told to stop and
 * whatever they return is dropped. [mu] */
static int release_running(struct worker *w)
{
	int n = 0;

	for (int i = 0; i < NPOOLS; i++)
		for (struct executor *ex = w->pools[i].executors; ex; ex = ex->next) {
			struct held *h = ex->current;
			if (!h || h->phase != HELD_RUNNING || h->abandoned || h->lost)
				continue;
			struct outcome *o = outcome_new(&h->ref, false, CLAIM_RELEASE, NULL, 0);
			h->abandoned = true;
			__atomic_store_n(&h->cancel, 1, __ATOMIC_RELAXED);
			held_remove(w, h);
			if (o)
				outcome_push(w, o);
			stats_count(w, h->kind, JT_RELEASED);
			n++;
		}
	return n;
}

/* Stop claiming and hand the queued jobs back. */
static void begin_stop(struct worker *w, int64_t timeout_ms)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	for (int i = 0; i < NPOOLS; i++) {
		pool_release_queue(w, &w->pools[i]);
		pthread_cond_broadcast(&w->pools[i].cond);
	}
	int running = running_jobs(w);
	pthread_mutex_unlock(&w->mu);
	log_info("worker.stopping", "no more claims; waiting up to %lld ms for %d running jobs",
		 (long long)timeout_ms, running);
}

/* Wait for the executors until deadline (monotonic us), then release what
 * still runs. Returns the number of executor threads left running
 * (abandoned). */
static int stop_executors(struct worker *w, int64_t deadline)
{
	int left;

	pthread_mutex_lock(&w->mu);
	while (executors_alive(w) > 0 && now_mono_us() < deadline) {
		int64_t until = now_mono_us() + TICK_MS * 1000;
		timed_wait(&w->main_cond, &w->mu, until < deadline ? until : deadline);
	}
	int released = release_running(w);
	if (released) {
		log_warn("worker.release",
			 "shutdown timeout: %d running jobs released back to the queue", released);
		int64_t until = now_mono_us() + ABANDON_WAIT_US;
		while (executors_alive(w) > 0 && now_mono_us() < until)
			timed_wait(&w->main_cond, &w->mu, until);
	}
	reap_executors(w);
	left = executors_alive(w);
	pthread_mutex_unlock(&w->mu);
	if (left)
		log_warn("worker.abandon", "%d handlers did not stop; exiting without them", left);
	return left;
}

/* ---- start and run ------------------------------------------------------ */

static int init_worker(struct worker *w, const struct config *cfg)
{
	pthread_condattr_t ca;

	if (!(w->db_url = strdup(cfg->database_url)))
		return -1;
	w->connect_timeout_ms = (int)cfg->database_connect_timeout;
	w->statement_timeout_ms = (int)cfg->database_statement_timeout;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->out_cond, &ca);
	pthread_cond_init(&w->hb_cond, &ca);
	pthread_cond_init(&w->main_cond, &ca);
	for (int i = 0; i < NPOOLS; i++) {
		struct pool *p = &w->pools[i];
		pthread_cond_init(&p->cond, &ca);
		p->allowed = i == POOL_SHARED ? (1u << JOB_PRIORITIES) - 1 : 1u << i;
		p->wanted = true; /* claim at once on start */
	}
	pthread_condattr_destroy(&ca);
	apply_tunables(w, cfg);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return w->wake_fd < 0 ? -1 : 0;
}

static void release_worker(struct worker *w)
{
	for (int i = 0; i < NPOOLS; i++)
		pthread_cond_destroy(&w->pools[i].cond);
	pthread_cond_destroy(&w->out_cond);
	pthread_cond_destroy(&w->hb_cond);
	pthread_cond_destroy(&w->main_cond);
	pthread_mutex_destroy(&w->mu);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	free(w->db_url);
	free(w);
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int worker_run(const char *config_path)
{
	struct config *cfg = load_config(config_path, true);
	struct worker *w;
	pthread_t completer, heartbeat, listener;
	sigset_t block, old;
	const char *dbg = getenv("RV_WORKER_DEBUG_KINDS");

	if (!cfg)
		return 78;
	log_setup((enum log_level)cfg->log_level, (enum log_format)cfg->log_format, 2);
	setup_signals();
	if (!(w = calloc(1, sizeof(*w))) || init_worker(w, cfg)) {
		log_error("worker.start", "out of memory");
		return 1;
	}
	library_kinds_configure(cfg);
	notify_kinds_configure(cfg);
	mail_kinds_configure(cfg);
	kinds_enable_debug(dbg && !strcmp(dbg, "1"));
	/* the id before any thread uses it; an earlier process of this
	 * identity hands its claims back now */
	struct identity *ident = identity_take(w);
	struct db *mdb = worker_db(w); /* the main thread's, for the debug table */
	bool debug_ready = !kinds_debug_enabled() || (mdb && !db_exec(mdb, debug_kinds_setup_sql));

	/* only the main thread takes signals */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	if (pthread_create(&completer, NULL, completer_main, w) ||
	    pthread_create(&heartbeat, NULL, heartbeat_main, w) ||
	    pthread_create(&listener, NULL, listener_main, w)) {
		log_error("worker.start", "cannot start threads");
		return 1;
	}
	pthread_mutex_lock(&w->mu);
	resize_pools(w);
	pthread_mutex_unlock(&w->mu);
	struct leader *leader = leader_start(cfg, w->id);
	/* the folder watcher works while this worker leads */
	struct watcher *watcher = watcher_start(cfg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	log_info("worker.start", "revenge-worker %s started (pid %d)", REVENGE_VERSION, (int)getpid());
	log_sizes(w, "worker.config", "running");
	if (kinds_debug_enabled())
		log_warn("worker.debug_kinds", "debug job kinds are registered (RV_WORKER_DEBUG_KINDS)");

	/* WatchdogSec=: pinged at half the interval from this loop only */
	uint64_t watchdog_us = 0;
	int64_t next_ping = 0;
	if (sd_watchdog_enabled(0, &watchdog_us) <= 0)
		watchdog_us = 0;
	sd_notifyf(0, "READY=1\nMAINPID=%d\nSTATUS=running", (int)getpid());

	int64_t next_stats = now_mono_us() + STATS_EVERY_US;
	int64_t next_counters = now_mono_us() + COUNTERS_EVERY_US;
	while (!got_stop) {
		poll(NULL, 0, TICK_MS); /* a signal cuts it short */
		if (got_reload) {
			got_reload = 0;
			reload(w, &cfg, config_path, &leader, watcher);
		}
		watcher_set_leading(watcher, leader_is_leader(leader));
		pthread_mutex_lock(&w->mu);
		reap_executors(w);
		pthread_mutex_unlock(&w->mu);
		if (!debug_ready && mdb)
			debug_ready = !db_exec(mdb, debug_kinds_setup_sql);
		if (now_mono_us() >= next_stats) {
			log_stats(w, "worker.stats");
			next_stats += STATS_EVERY_US;
		}
		if (now_mono_us() >= next_counters) {
			stats_flush(w, mdb);
			identity_check(ident);
			next_counters = now_mono_us() + COUNTERS_EVERY_US;
		}
		if (watchdog_us && now_mono_us() >= next_ping) {
			sd_notify(0, "WATCHDOG=1");
			next_ping = now_mono_us() + (int64_t)(watchdog_us / 2);
		}
	}
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");

	/* stop: claims, then the watcher, the leader and the listener, then the jobs */
	int64_t deadline = now_mono_us() + cfg->worker_shutdown_timeout * 1000;
	begin_stop(w, cfg->worker_shutdown_timeout);
	watcher_stop(watcher);
	leader_stop(leader);
	atomic_store(&w->listen_stop, 1);
	uint64_t one = 1;
	if (write(w->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("worker.stop", "cannot wake the listener");
	int abandoned = stop_executors(w, deadline);
	pthread_join(listener, NULL);

	pthread_mutex_lock(&w->mu);
	w->out_stop = true;
	w->out_drain_until_us = now_mono_us() + DRAIN_US;
	pthread_cond_signal(&w->out_cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(completer, NULL);

	pthread_mutex_lock(&w->mu);
	w->hb_stop = true;
	pthread_cond_signal(&w->hb_cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(heartbeat, NULL);

	log_stats(w, "worker.stats");
	stats_flush(w, mdb);
	log_info("worker.stop", "revenge-worker stopped cleanly");
	identity_release(ident);
	db_free(mdb);
	free_config(cfg);
	/* abandoned handlers may still touch the worker's state: leave it to
	 * the process's exit */
	if (!abandoned)
		release_worker(w);
	return 0;
}

/*
 * listener: one thread, one connection in LISTEN revenge_jobs. Every
 * notification (sent at commit by the jobs table's insert trigger, payload
 * = the highest priority inserted) wakes the pools that take that priority.
 * While the connection is down the executors fall back to polling every
 * worker.poll_interval; after a reconnect every pool is woken once, since
 * notifications sent meanwhile are lost.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/log.h"
#include "core/text.h"
#include "executor.h"

#define RETRY_MS 1000

/* Wait up to ms for the wake fd; true when woken (stop requested). */
static bool nap(struct worker *w, int ms)
{
	struct pollfd pf = {w->wake_fd, POLLIN, 0};
	return poll(&pf, 1, ms) > 0;
}

static void drain_wake(struct worker *w)
{
	uint64_t v;
	ssize_t n = read(w->wake_fd, &v, sizeof(v));
	(void)n;
}

void *listener_main(void *arg)
{
	struct worker *w = arg;
	struct db *db = worker_db(w);
	PGconn *conn = NULL;
	bool warned = false;

	if (!db) {
		log_error("worker.listener", "out of memory: polling only");
		return NULL;
	}
	while (!atomic_load(&w->listen_stop)) {
		if (!conn) {
			if (db_exec(db, "LISTEN revenge_jobs") != APP_OK) {
				if (!warned)
					log_warn("worker.listener",
						 "cannot LISTEN (database unavailable): polling until it is back");
				warned = true;
				if (nap(w, RETRY_MS))
					drain_wake(w);
				continue;
			}
			conn = db_conn(db);
			log_info("worker.listener", "listening for new jobs");
			warned = false;
			pool_wake(w, -1); /* what was enqueued while we were deaf */
		}
		struct pollfd pf[2] = {{PQsocket(conn), POLLIN, 0}, {w->wake_fd, POLLIN, 0}};
		int rc = poll(pf, 2, 5000);
		if (rc < 0 && errno != EINTR)
			log_error("worker.listener", "poll failed");
		if (rc > 0 && (pf[1].revents & POLLIN))
			drain_wake(w);
		if (rc > 0 && pf[0].revents) {
			if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) {
				log_warn("worker.listener", "notification connection lost; reconnecting");
				db_disconnect(db);
				conn = NULL;
				continue;
			}
			PGnotify *n;
			while ((n = PQnotifies(conn))) {
				int prio = -1;
				if (n->extra && n->extra[0] >= '0' && n->extra[0] <= '4' && !n->extra[1])
					prio = n->extra[0] - '0';
				PQfreemem(n);
				pool_wake(w, prio);
			}
		}
	}
	db_free(db);
	return NULL;
}

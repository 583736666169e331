#include "identity.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "claim.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/text.h"
#include "db/value.h"
#include "worker_int.h"

#define MAX_SLOTS 256

struct identity {
	struct db *db;
	struct arena *arena;
	char name[WORKER_ID_MAX]; /* host/slot */
	int backend_pid;          /* the session that holds the lock */
	bool warned;
};

static const struct db_stmt q_take = {
    "identity_take", "SELECT pg_try_advisory_lock($1::int, hashtext($2))", 2, false};

/* The lock again only when the session changed (a reconnect lost it). */
static const struct db_stmt q_check = {
    "identity_check",
    "SELECT CASE WHEN pg_backend_pid() = $3::int THEN true"
    " ELSE pg_try_advisory_lock($1::int, hashtext($2)) END, pg_backend_pid()",
    3, false};

static void hostname(char *host, size_t n)
{
	if (gethostname(host, n) != 0 || !host[0])
		snprintf(host, n, "host");
	host[n - 1] = '\0';
	/* '/' and ':' separate the parts of the id */
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ':')
			*p = '_';
}

static void set_id(struct worker *w, const char *name)
{
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
		r = (uint32_t)now_real_us();
	snprintf(w->id, sizeof(w->id), "%s:%d:%08x", name, (int)getpid(), r);
}

static int take_slot(struct identity *id, const char *host)
{
	char cls[16];

	snprintf(cls, sizeof(cls), "%d", CLAIM_IDENTITY_LOCK_CLASS);
	for (int slot = 0; slot < MAX_SLOTS; slot++) {
		PGresult *r;
		snprintf(id->name, sizeof(id->name), "%s/%d", host, slot);
		const char *params[] = {cls, id->name};
		if (db_query(id->db, id->arena, &q_take, params, &r))
			return -1;
		if (PQgetvalue(r, 0, 0)[0] == 't') {
			id->backend_pid = PQbackendPID(db_conn(id->db));
			return 0;
		}
	}
	log_error("worker.identity", "all %d worker slots of this host are taken", MAX_SLOTS);
	return -1;
}

static void release_earlier(struct identity *id, struct worker *w)
{
	PGresult *r;
	int unstarted = 0;

	if (claim_release_identity(id->db, id->arena, id->name, w->id, &r)) {
		log_warn("worker.identity",
		         "could not release the claims of an earlier %s; "
		         "their leases will expire",
		         id->name);
		return;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		unstarted += PQgetvalue(r, i, 4)[0] == 't';
		log_info("worker.released_at_start",
		         "job %s (%s, attempt %s) of an earlier %s: now %s%s", PQgetvalue(r, i, 0),
		         PQgetvalue(r, i, 1), PQgetvalue(r, i, 3), id->name, PQgetvalue(r, i, 2),
		         PQgetvalue(r, i, 4)[0] == 't' ? " (never started: attempt not counted)"
		                                       : "");
	}
	if (PQntuples(r))
		log_warn("worker.released_at_start",
		         "%d claims of an earlier process of %s released (%d never started)",
		         PQntuples(r), id->name, unstarted);
}

struct identity *identity_take(struct worker *w)
{
	char host[64];
	struct identity *id = calloc(1, sizeof(*id));

	hostname(host, sizeof(host));
	if (id && (id->db = worker_db(w)) && (id->arena = arena_new(4096, 1 << 20)) &&
	    take_slot(id, host) == 0) {
		set_id(w, id->name);
		log_info("worker.identity", "worker %s (identity %s)", w->id, id->name);
		release_earlier(id, w);
		arena_reset(id->arena);
		return id;
	}
	if (id) {
		arena_free(id->arena);
		db_free(id->db);
		free(id);
	}
	char name[WORKER_ID_MAX];
	snprintf(name, sizeof(name), "%s/-", host);
	set_id(w, name);
	log_warn("worker.identity",
	         "no identity slot (database unreachable?): running as %s; "
	         "claims of an earlier process are left to their leases",
	         w->id);
	return NULL;
}

void identity_check(struct identity *id)
{
	char cls[16], pid[16];
	PGresult *r;

	if (!id)
		return;
	snprintf(cls, sizeof(cls), "%d", CLAIM_IDENTITY_LOCK_CLASS);
	snprintf(pid, sizeof(pid), "%d", id->backend_pid);
	const char *params[] = {cls, id->name, pid};
	if (!db_query(id->db, id->arena, &q_check, params, &r)) {
		bool held = PQgetvalue(r, 0, 0)[0] == 't';
		int backend = 0;
		if (held && !db_get_int(r, 0, 1, &backend))
			id->backend_pid = backend;
		if (!held && !id->warned)
			log_error("worker.identity",
			          "the lock of %s was lost and another process "
			          "holds it now; restart this worker",
			          id->name);
		id->warned = !held;
	}
	arena_reset(id->arena);
}

void identity_release(struct identity *id)
{
	if (!id)
		return;
	db_free(id->db);
	arena_free(id->arena);
	free(id);
}

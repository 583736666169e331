#include "claim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/sql.h"

/* attempted_at as an integer: exact (timestamps are whole microseconds),
 * independent of DateStyle and TimeZone */
#define AT_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define US_TS(param) "(timestamptz 'epoch' + " param " * interval '1 microsecond')"

/* The guard of every write about one claim: $1 id, $2 me, $3 attempt, $4 at_us. */
#define GUARD                                                                                      \
	" WHERE id = $1::bigint AND state = 'running' AND locked_by = $2 AND attempt = $3::int"    \
	" AND attempted_at = " US_TS("$4::bigint")

/* The CTE locks the rows it picks and skips those another claimer holds;
 * its ORDER BY matches jobs_claim_idx (priority, run_at, id), whose
 * predicate is the state list here. */
static const struct db_stmt q_claim = {
	"worker_claim",
	"WITH picked AS ("
	" SELECT id, priority, run_at, attempted_at IS NOT NULL AS rerun FROM jobs"
	" WHERE state IN ('available', 'scheduled', 'retryable') AND run_at <= now()"
	" AND priority = ANY($1::smallint[])"
	" ORDER BY priority, run_at, id LIMIT $2::int FOR UPDATE SKIP LOCKED),"
	" first AS (SELECT id FROM picked ORDER BY priority, run_at, id LIMIT $5::int)"
	" UPDATE jobs j SET state = 'running', attempt = j.attempt + 1, attempted_at = now(),"
	" locked_by = $3, lease_until = now() + $4::bigint * interval '1 millisecond',"
	" started = j.id IN (SELECT id FROM first)"
	" FROM picked WHERE j.id = picked.id"
	" RETURNING j.id, j.attempt, " AT_US("j.attempted_at") ", j.kind, j.args::text,"
	" j.request_id, j.max_attempts, j.priority, j.cancel_requested, picked.rerun,"
	" " AT_US("j.run_at") ", j.started",
	5, false};

static const struct db_stmt q_started = {
	"worker_started", "UPDATE jobs SET started = true" GUARD " RETURNING id", 4, false};

/* Claims of an earlier process with the same identity ($1, "host/slot"),
 * released by its successor at start-up: the prefix must be followed by
 * ':' (so slot 1 never matches slot 10); $2 is the caller's own id. The
 * identity lock ($3 class, hashtext($1)) is taken again in the statement:
 * a session that db silently reconnected and that lost it to another
 * process changes nothing. */
static const struct db_stmt q_release_identity = {
	"worker_release_identity",
	"WITH mine AS (SELECT pg_try_advisory_lock($3::int, hashtext($1)) AS ok)"
	" UPDATE jobs j SET" CLAIM_RESCUE_SET("'worker ' || s.old || ' restarted'")
	" FROM (SELECT id, locked_by AS old, NOT started AS unstarted FROM jobs"
	" WHERE state = 'running' AND left(locked_by, length($1) + 1) = $1 || ':'"
	" AND locked_by <> $2 AND (SELECT ok FROM mine) FOR UPDATE) s"
	" WHERE j.id = s.id"
	" RETURNING j.id, j.kind, j.state::text, j.attempt, s.unstarted",
	3, false};

static const struct db_stmt q_complete = {
	"worker_complete",
	"UPDATE jobs j SET state = 'completed', finalized_at = now(), locked_by = NULL,"
	" lease_until = NULL"
	" FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS d (id, attempt, at_us)"
	" WHERE j.id = d.id AND j.state = 'running' AND j.locked_by = $4"
	" AND j.attempt = d.attempt AND j.attempted_at = " US_TS("d.at_us") " RETURNING j.id",
	4, false};

/* $5 permanent, $6 delay ms, $7 error text */
#define FAILED_FOR_GOOD "($5::bool OR attempt >= max_attempts)"
static const struct db_stmt q_fail = {
	"worker_fail",
	"UPDATE jobs SET"
	" state = (CASE WHEN " FAILED_FOR_GOOD " THEN 'discarded' ELSE 'retryable' END)::job_state,"
	" run_at = CASE WHEN " FAILED_FOR_GOOD " THEN run_at"
	" ELSE now() + $6::bigint * interval '1 millisecond' END,"
	" finalized_at = CASE WHEN " FAILED_FOR_GOOD " THEN now() END,"
	" errors = errors || jsonb_build_array(jsonb_build_object('attempt', attempt,"
	" 'at', " SQL_TS("now()") ","
	" 'error', $7::text)),"
	" locked_by = NULL, lease_until = NULL" GUARD " RETURNING state::text",
	7, false};

static const struct db_stmt q_cancel = {
	"worker_cancel",
	"UPDATE jobs SET state = 'cancelled', finalized_at = now(), locked_by = NULL,"
	" lease_until = NULL" GUARD " RETURNING state::text",
	4, false};

static const struct db_stmt q_snooze = {
	"worker_snooze",
	"UPDATE jobs SET state = 'scheduled', run_at = now() + $5::bigint * interval '1 millisecond',"
	" attempt = attempt - 1, locked_by = NULL, lease_until = NULL" GUARD
	" RETURNING state::text",
	5, false};

#define RELEASE_SET                                                                                \
	"UPDATE jobs SET"                                                                          \
	" state = (CASE WHEN cancel_requested THEN 'cancelled' ELSE 'available' END)::job_state,"  \
	" finalized_at = CASE WHEN cancel_requested THEN now() END,"                               \
	" run_at = now(), attempt = greatest(attempt - 1, 0), locked_by = NULL, lease_until = NULL"

static const struct db_stmt q_release = {
	"worker_release", RELEASE_SET GUARD " RETURNING state::text", 4, false};

static const struct db_stmt q_release_orphan = {
	"worker_release_orphan",
	RELEASE_SET " WHERE id = $1::bigint AND state = 'running' AND locked_by = $2", 2, false};

static const struct db_stmt q_heartbeat = {
	"worker_heartbeat",
	"UPDATE jobs SET lease_until = now() + $2::bigint * interval '1 millisecond'"
	" WHERE locked_by = $1 AND state = 'running'"
	" RETURNING id, cancel_requested, attempt, " AT_US("attempted_at"),
	2, true};

static void int_array(struct buf *b, unsigned mask)
{
	buf_putc(b, '{');
	for (int p = 0, first = 1; p < 32; p++) {
		if (!(mask & (1u << p)))
			continue;
		buf_printf(b, first ? "%d" : ",%d", p);
		first = 0;
	}
	buf_putc(b, '}');
}

static bool claim_before(const struct claim_row *x, const struct claim_row *y)
{
	if (x->priority != y->priority)
		return x->priority < y->priority;
	if (x->run_at_us != y->run_at_us)
		return x->run_at_us < y->run_at_us;
	return x->ref.id < y->ref.id;
}

enum app_err claim_jobs(struct db *db, struct arena *a, const char *me, unsigned allowed, int limit,
			int start_now, int64_t lease_ms, struct claim_row **rows, int *n)
{
	char prios[32], lim[16], lease[24], started[16];
	struct buf b;
	PGresult *r;
	enum app_err e;

	*rows = NULL;
	*n = 0;
	buf_init(&b, sizeof(prios) - 1);
	int_array(&b, allowed);
	snprintf(prios, sizeof(prios), "%s", b.data);
	buf_release(&b);
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(lease, sizeof(lease), "%lld", (long long)lease_ms);
	snprintf(started, sizeof(started), "%d", start_now > 0 ? start_now : 0);
	const char *params[] = {prios, lim, me, lease, started};
	if ((e = db_query(db, a, &q_claim, params, &r)))
		return e;
	int count = PQntuples(r);
	if (count == 0)
		return APP_OK;
	struct claim_row *out = arena_calloc(a, (size_t)count, sizeof(*out));
	if (!out)
		return APP_ERR_NOMEM; /* the claims stand; the heartbeat's orphan check releases them */
	for (int i = 0; i < count; i++) {
		struct claim_row *c = &out[i];
		/* an unreadable row is a bug; as above, the heartbeat releases the claims */
		if ((e = db_get_int64(r, i, 0, &c->ref.id)) ||
		    (e = db_get_int(r, i, 1, &c->ref.attempt)) ||
		    (e = db_get_int64(r, i, 2, &c->ref.at_us)) ||
		    (e = db_get_int(r, i, 6, &c->max_attempts)) ||
		    (e = db_get_int(r, i, 7, &c->priority)) ||
		    (e = db_get_int64(r, i, 10, &c->run_at_us)))
			return e;
		c->kind = PQgetvalue(r, i, 3);
		c->args = PQgetvalue(r, i, 4);
		c->request_id = PQgetisnull(r, i, 5) ? NULL : PQgetvalue(r, i, 5);
		c->cancel_requested = PQgetvalue(r, i, 8)[0] == 't';
		c->rerun = PQgetvalue(r, i, 9)[0] == 't';
		c->started = PQgetvalue(r, i, 11)[0] == 't';
	}
	/* UPDATE … RETURNING has no order: restore the claim order (small n) */
	for (int i = 1; i < count; i++) {
		struct claim_row t = out[i];
		int j = i;
		while (j > 0 && claim_before(&t, &out[j - 1])) {
			out[j] = out[j - 1];
			j--;
		}
		out[j] = t;
	}
	*rows = out;
	*n = count;
	return APP_OK;
}

enum app_err claim_complete(struct db *db, struct arena *a, const char *me,
			    const struct claim_ref *refs, size_t n, bool *applied)
{
	struct buf ids, attempts, ats;
	PGresult *r;
	enum app_err e = APP_OK;

	for (size_t i = 0; i < n; i++)
		applied[i] = false;
	if (n == 0)
		return APP_OK;
	buf_init(&ids, (size_t)1 << 24);
	buf_init(&attempts, (size_t)1 << 24);
	buf_init(&ats, (size_t)1 << 24);
	for (size_t i = 0; i < n; i++) {
		const char *sep = i ? "," : "{";
		buf_printf(&ids, "%s%lld", sep, (long long)refs[i].id);
		buf_printf(&attempts, "%s%d", sep, refs[i].attempt);
		buf_printf(&ats, "%s%lld", sep, (long long)refs[i].at_us);
	}
	buf_putc(&ids, '}');
	buf_putc(&attempts, '}');
	buf_putc(&ats, '}');
	if (!buf_ok(&ids) || !buf_ok(&attempts) || !buf_ok(&ats))
		e = APP_ERR_NOMEM;
	if (!e) {
		const char *params[] = {ids.data, attempts.data, ats.data, me};
		e = db_query(db, a, &q_complete, params, &r);
	}
	buf_release(&ids);
	buf_release(&attempts);
	buf_release(&ats);
	if (e)
		return e;
	/* ids are unique within a batch: one claim per job at a time */
	for (int row = 0; row < PQntuples(r); row++) {
		int64_t id;
		if ((e = db_get_int64(r, row, 0, &id)))
			return e;
		for (size_t i = 0; i < n; i++)
			if (refs[i].id == id)
				applied[i] = true;
	}
	return APP_OK;
}

static const char *state_name(const char *s)
{
	static const char *const names[] = {"available", "scheduled", "running", "retryable",
					    "completed", "discarded", "cancelled"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], s))
			return names[i];
	return "unknown";
}

enum app_err claim_finish(struct db *db, struct arena *a, const char *me,
			  const struct claim_ref *ref, enum claim_op op, const char *error,
			  int64_t delay_ms, bool *applied, const char **state)
{
	char id[24], attempt[16], at[24], delay[24];
	const struct db_stmt *st = NULL;
	PGresult *r;
	enum app_err e;

	*applied = false;
	snprintf(id, sizeof(id), "%lld", (long long)ref->id);
	snprintf(attempt, sizeof(attempt), "%d", ref->attempt);
	snprintf(at, sizeof(at), "%lld", (long long)ref->at_us);
	snprintf(delay, sizeof(delay), "%lld", (long long)(delay_ms > 0 ? delay_ms : 0));
	const char *params[7] = {id, me, attempt, at, NULL, delay, error ? error : "failed"};
	switch (op) {
	case CLAIM_RETRY:
	case CLAIM_DISCARD:
		st = &q_fail;
		params[4] = op == CLAIM_DISCARD ? "true" : "false";
		break;
	case CLAIM_CANCEL:
		st = &q_cancel;
		break;
	case CLAIM_SNOOZE:
		st = &q_snooze;
		params[4] = delay;
		break;
	case CLAIM_RELEASE:
		st = &q_release;
		break;
	}
	if ((e = db_query(db, a, st, params, &r)))
		return e;
	*applied = PQntuples(r) == 1;
	if (*applied && state)
		*state = state_name(PQgetvalue(r, 0, 0));
	return APP_OK;
}

enum app_err claim_heartbeat(struct db *db, struct arena *a, const char *me, int64_t lease_ms,
			     PGresult **res)
{
	char lease[24];

	snprintf(lease, sizeof(lease), "%lld", (long long)lease_ms);
	const char *params[] = {me, lease};
	return db_query(db, a, &q_heartbeat, params, res);
}

enum app_err claim_release_orphan(struct db *db, struct arena *a, const char *me, int64_t id)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)id);
	const char *params[] = {s, me};
	return db_query(db, a, &q_release_orphan, params, NULL);
}

int64_t claim_backoff_ms(int attempt, double r)
{
	const int64_t cap = 3600LL * 1000;
	int64_t base = 1000;

	for (int i = 0; i < attempt && base < cap; i++)
		base *= 2;
	if (base > cap)
		base = cap;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999999;
	return (int64_t)((double)base * (0.9 + 0.2 * r));
}

/* The four guard parameters of one claim, as text in the caller's buffers. */
static void guard_params(const char *me, const struct claim_ref *ref, char id[24], char att[16],
			 char at[24], const char *params[4])
{
	snprintf(id, 24, "%lld", (long long)ref->id);
	snprintf(att, 16, "%d", ref->attempt);
	snprintf(at, 24, "%lld", (long long)ref->at_us);
	params[0] = id;
	params[1] = me;
	params[2] = att;
	params[3] = at;
}

enum app_err claim_mark_started(struct db *db, struct arena *a, const char *me,
				const struct claim_ref *ref, bool *applied)
{
	char id[24], att[16], at[24];
	const char *params[4];
	PGresult *r;
	enum app_err e;

	*applied = false;
	guard_params(me, ref, id, att, at, params);
	if ((e = db_query(db, a, &q_started, params, &r)))
		return e;
	*applied = PQntuples(r) == 1;
	return APP_OK;
}

enum app_err claim_release_identity(struct db *db, struct arena *a, const char *identity,
				    const char *me, PGresult **res)
{
	char cls[16];
	const char *params[] = {identity, me, cls};

	snprintf(cls, sizeof(cls), "%d", CLAIM_IDENTITY_LOCK_CLASS);
	return db_query(db, a, &q_release_identity, params, res);
}

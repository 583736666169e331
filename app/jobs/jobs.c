#include "jobs/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"

static const char *const priority_names[JOB_PRIORITIES] = {"critical", "high", "default", "low",
							   "bulk"};

/* A job is "scheduled" while its run-at lies ahead, "available" once due. */
static const struct db_stmt q_insert = {
	"jobs_insert",
	"INSERT INTO jobs (kind, args, priority, run_at, state, max_attempts, unique_key, request_id)"
	" VALUES ($1, coalesce($2::jsonb, '{}'), $3::smallint,"
	" now() + $4::bigint * interval '1 millisecond',"
	" CASE WHEN $4::bigint > 0 THEN 'scheduled' ELSE 'available' END::job_state,"
	" $5::int, $6, $7)"
	" ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL"
	" AND state IN ('available', 'scheduled', 'running', 'retryable') DO NOTHING RETURNING id",
	7, false};

static const struct db_stmt q_existing = {
	"jobs_existing",
	"SELECT id FROM jobs WHERE unique_key = $1"
	" AND state IN ('available', 'scheduled', 'running', 'retryable')",
	1, false};

static const struct db_stmt q_bulk = {
	"jobs_bulk",
	"INSERT INTO jobs (kind, args, priority, run_at, state, max_attempts, request_id)"
	" SELECT k, coalesce(a::jsonb, '{}'), p::smallint,"
	" now() + d::bigint * interval '1 millisecond',"
	" CASE WHEN d::bigint > 0 THEN 'scheduled' ELSE 'available' END::job_state, m::int, r"
	" FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])"
	" AS t (k, a, p, d, m, r) RETURNING id",
	6, false};

static const struct db_stmt q_cancel = {
	"jobs_cancel",
	"UPDATE jobs SET"
	" state = CASE WHEN state = 'running' THEN state ELSE 'cancelled'::job_state END,"
	" cancel_requested = true,"
	" finalized_at = CASE WHEN state = 'running' THEN finalized_at ELSE now() END"
	" WHERE id = $1 AND state NOT IN ('completed', 'discarded', 'cancelled') RETURNING state",
	1, false};

static const struct db_stmt q_retry = {
	"jobs_retry",
	"UPDATE jobs SET state = 'available', run_at = now(), attempt = 0, cancel_requested = false,"
	" finalized_at = NULL, locked_by = NULL, lease_until = NULL"
	" WHERE id = $1 AND state IN ('discarded', 'cancelled') RETURNING id",
	1, false};

static const struct db_stmt q_exists = {
	"jobs_exists", "SELECT 1 FROM jobs WHERE id = $1", 1, true};

int job_priority_parse(const char *s)
{
	for (int i = 0; s && i < JOB_PRIORITIES; i++)
		if (!strcmp(priority_names[i], s))
			return i;
	return -1;
}

const char *job_priority_name(int p)
{
	return p >= 0 && p < JOB_PRIORITIES ? priority_names[p] : "unknown";
}

/* in the order of the worker's registry (workers/kinds.c); a unit test
 * keeps the two equal */
const char *const job_kind_names[] = {
	"noop",		   "maintenance.retention", "maintenance.sessions", "library.scan",
	"library.scan_path", "integration.event", "integration.sync", "integration.sync_due",
	"library.match",   "image.fetch",
	"image.local",	   "library.scan_due",	    "metadata.refresh", "metadata.refresh_stale",
	"notify.deliver",
	"mail.send",
};
const size_t job_kind_names_count = sizeof(job_kind_names) / sizeof(job_kind_names[0]);

const char *const job_outcome_names[] = {
	"completed", "retried", "discarded", "cancelled", "snoozed", "released", "lost",
};
const size_t job_outcome_names_count = sizeof(job_outcome_names) / sizeof(job_outcome_names[0]);

static enum app_err check_spec(const struct job_spec *s)
{
	size_t n = s->kind ? strlen(s->kind) : 0;

	if (n < 1 || n > 64 || s->kind[0] < 'a' || s->kind[0] > 'z')
		return APP_ERR_VALIDATION;
	for (size_t i = 0; i < n; i++) {
		char c = s->kind[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
			return APP_ERR_VALIDATION;
	}
	if (s->priority < 0 || s->priority >= JOB_PRIORITIES || s->max_attempts < 0 ||
	    s->max_attempts > 1000 || s->delay_ms < 0)
		return APP_ERR_VALIDATION;
	if (s->args) {
		struct json_limits lim = {1 << 20, 32};
		cJSON *j = NULL;
		enum app_err e = json_parse(s->args, strlen(s->args), &lim, &j, NULL);
		bool object = !e && cJSON_IsObject(j);
		cJSON_Delete(j);
		if (!object)
			return APP_ERR_VALIDATION;
	}
	return APP_OK;
}

enum app_err job_enqueue(struct db *db, struct arena *a, const struct job_spec *spec, int64_t *id,
			 bool *duplicate)
{
	char prio[8], delay[24], attempts[16];
	PGresult *r;
	enum app_err e;

	if (duplicate)
		*duplicate = false;
	if ((e = check_spec(spec)))
		return e;
	snprintf(prio, sizeof(prio), "%d", spec->priority);
	snprintf(delay, sizeof(delay), "%lld", (long long)spec->delay_ms);
	snprintf(attempts, sizeof(attempts), "%d", spec->max_attempts ? spec->max_attempts : 25);
	const char *params[] = {spec->kind, spec->args,       prio,           delay,
				attempts,   spec->unique_key, spec->request_id};
	if ((e = db_query(db, a, &q_insert, params, &r)))
		return e;
	if (PQntuples(r) == 1)
		return db_get_int64(r, 0, 0, id);
	/* the unique key is taken by a non-final job: report that one */
	const char *up[] = {spec->unique_key};
	if ((e = db_query(db, a, &q_existing, up, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_CONFLICT; /* it finished in between: the caller may retry */
	if ((e = db_get_int64(r, 0, 0, id)))
		return e;
	if (duplicate)
		*duplicate = true;
	return APP_OK;
}

/* Append s as an element of a PostgreSQL text[] literal. */
static void array_elem(struct buf *b, const char *s, bool first)
{
	if (!first)
		buf_putc(b, ',');
	if (!s) {
		buf_puts(b, "NULL");
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

enum app_err job_enqueue_bulk(struct db *db, struct arena *a, const struct job_spec *specs,
			      size_t n, int64_t *first_id)
{
	struct buf arr[6];
	char num[24];
	PGresult *r;
	enum app_err e = APP_OK;

	if (n == 0)
		return APP_OK;
	for (int k = 0; k < 6; k++) {
		buf_init(&arr[k], (size_t)1 << 30);
		buf_putc(&arr[k], '{');
	}
	for (size_t i = 0; i < n && !e; i++) {
		if ((e = check_spec(&specs[i])) || specs[i].unique_key)
			e = APP_ERR_VALIDATION;
		array_elem(&arr[0], specs[i].kind, i == 0);
		array_elem(&arr[1], specs[i].args, i == 0);
		snprintf(num, sizeof(num), "%d", specs[i].priority);
		array_elem(&arr[2], num, i == 0);
		snprintf(num, sizeof(num), "%lld", (long long)specs[i].delay_ms);
		array_elem(&arr[3], num, i == 0);
		snprintf(num, sizeof(num), "%d", specs[i].max_attempts ? specs[i].max_attempts : 25);
		array_elem(&arr[4], num, i == 0);
		array_elem(&arr[5], specs[i].request_id, i == 0);
	}
	for (int k = 0; k < 6; k++) {
		buf_putc(&arr[k], '}');
		if (!buf_ok(&arr[k]))
			e = e ? e : APP_ERR_NOMEM;
	}
	if (!e) {
		const char *params[] = {arr[0].data, arr[1].data, arr[2].data,
					arr[3].data, arr[4].data, arr[5].data};
		e = db_query(db, a, &q_bulk, params, &r);
		if (!e && first_id) {
			*first_id = INT64_MAX;
			for (int i = 0; !e && i < PQntuples(r); i++) {
				int64_t v;
				if (!(e = db_get_int64(r, i, 0, &v)) && v < *first_id)
					*first_id = v;
			}
		}
	}
	for (int k = 0; k < 6; k++)
		buf_release(&arr[k]);
	return e;
}

static enum app_err found_or(struct db *db, struct arena *a, int64_t id, enum app_err when_found)
{
	char s[24];
	PGresult *r;
	enum app_err e;

	snprintf(s, sizeof(s), "%lld", (long long)id);
	const char *params[] = {s};
	if ((e = db_query(db, a, &q_exists, params, &r)))
		return e;
	return PQntuples(r) ? when_found : APP_ERR_NOT_FOUND;
}

enum app_err job_cancel(struct db *db, struct arena *a, int64_t id)
{
	char s[24];
	PGresult *r;
	enum app_err e;

	snprintf(s, sizeof(s), "%lld", (long long)id);
	const char *params[] = {s};
	if ((e = db_query(db, a, &q_cancel, params, &r)))
		return e;
	return PQntuples(r) ? APP_OK : found_or(db, a, id, APP_ERR_CONFLICT);
}

enum app_err job_retry(struct db *db, struct arena *a, int64_t id)
{
	char s[24];
	PGresult *r;
	enum app_err e;

	snprintf(s, sizeof(s), "%lld", (long long)id);
	const char *params[] = {s};
	if ((e = db_query(db, a, &q_retry, params, &r)))
		return e;
	return PQntuples(r) ? APP_OK : found_or(db, a, id, APP_ERR_CONFLICT);
}

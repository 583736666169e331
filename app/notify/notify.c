/* notify: raising notification events (see notify.h). */
#include "notify/notify.h"

#include <stdio.h>

#include "core/json.h"
#include "db/value.h"

const char *const notify_event_names[] = {
    "content.added",
    "content.removed",
    "library.scan_finished",
    "library.scan_failed",
    "user.created",
    "auth.lockout",
    "auth.new_login",
    "system.worker_down",
    "system.tmdb_failing",
    "test",
    NULL,
};

#define STR_(x) #x
#define STR(x) STR_(x)

/* The delivery ids are drawn first, so each job's args can name its row
 * and each row its job in one statement. $5: the throttle in seconds, or
 * NULL. */
static const struct db_stmt q_event = {
    "notify_event",
    "WITH ch AS MATERIALIZED (SELECT c.id, nextval('notification_deliveries_id_seq') AS did"
    " FROM notification_channels c WHERE c.enabled AND c.events @> ARRAY[$1]::text[]"
    " AND ($3::bigint IS NULL OR NOT EXISTS (SELECT 1 FROM notification_deliveries d"
    "  WHERE d.channel_id = c.id AND d.event = $1"
    "  AND d.created_at > now() - $3::bigint * interval '1 second'))),"
    " jb AS (INSERT INTO jobs (kind, args, priority, max_attempts)"
    " SELECT 'notify.deliver', jsonb_build_object('delivery_id', did), 2, " STR(
        NOTIFY_MAX_ATTEMPTS) " FROM ch RETURNING id, (args->>'delivery_id')::bigint AS did)"
                             " INSERT INTO notification_deliveries (id, channel_id, event, "
                             "payload, job_id)"
                             " SELECT ch.did, ch.id, $1, $2::jsonb, jb.id FROM ch JOIN jb ON "
                             "jb.did = ch.did RETURNING id",
    3, false};

static const struct db_stmt q_test = {
    "notify_test",
    "WITH ch AS MATERIALIZED (SELECT id, nextval('notification_deliveries_id_seq') AS did"
    " FROM notification_channels WHERE id = $1),"
    " jb AS (INSERT INTO jobs (kind, args, priority, max_attempts)"
    " SELECT 'notify.deliver', jsonb_build_object('delivery_id', did), 1, " STR(
        NOTIFY_MAX_ATTEMPTS) " FROM ch RETURNING id, (args->>'delivery_id')::bigint AS did)"
                             " INSERT INTO notification_deliveries (id, channel_id, event, "
                             "payload, job_id)"
                             " SELECT ch.did, ch.id, 'test', $2::jsonb, jb.id FROM ch JOIN jb ON "
                             "jb.did = ch.did"
                             " RETURNING id, job_id",
    2, false};

static const struct db_stmt q_wanted = {
    "notify_wanted",
    "SELECT EXISTS (SELECT 1 FROM notification_channels WHERE enabled"
    " AND events @> ARRAY[$1]::text[])",
    1, true};

static enum app_err queue(struct db *db, struct arena *a, const char *event, const char *payload,
                          const char *throttle, int *queued)
{
	const char *p[] = {event, payload, throttle};
	PGresult *r;
	enum app_err e;

	if (queued)
		*queued = 0;
	if (!payload)
		return APP_ERR_NOMEM;
	if ((e = db_query(db, a, &q_event, p, &r)))
		return e;
	if (queued)
		*queued = PQntuples(r);
	return APP_OK;
}

enum app_err notify_event(struct db *db, struct arena *a, const char *event, const char *payload,
                          int *queued)
{
	return queue(db, a, event, payload, NULL, queued);
}

enum app_err notify_event_throttled(struct db *db, struct arena *a, const char *event,
                                    const char *payload, int64_t per_s, int *queued)
{
	return queue(db, a, event, payload, arena_printf(a, "%lld", (long long)per_s), queued);
}

enum app_err notify_test(struct db *db, struct arena *a, const char *channel_id,
                         const char *requested_by, int64_t *delivery_id, int64_t *job_id)
{
	const char *payload = notify_payload(
	    a, "Test notification", "If you can read this, the channel works.",
	    (const char *const[]){"channel_id", channel_id, "requested_by", requested_by, NULL});
	const char *p[] = {channel_id, payload};
	PGresult *r;
	enum app_err e;

	if (!payload)
		return APP_ERR_NOMEM;
	if ((e = db_query(db, a, &q_test, p, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_NOT_FOUND;
	if ((e = db_get_int64(r, 0, 0, delivery_id)) || (e = db_get_int64(r, 0, 1, job_id)))
		return e;
	return APP_OK;
}

const char *notify_payload(struct arena *a, const char *title, const char *message,
                           const char *const *data)
{
	struct buf b;
	struct jw w;
	const char *out;

	buf_init(&b, 64 * 1024);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "title", title);
	jw_kstr(&w, "message", message);
	jw_key(&w, "data");
	jw_obj_open(&w);
	for (; data && data[0]; data += 2)
		jw_kstr(&w, data[0], data[1]);
	jw_obj_close(&w);
	jw_obj_close(&w);
	out = buf_ok(&b) && title && message ? arena_strdup(a, b.data) : NULL;
	buf_release(&b);
	return out;
}

bool notify_wanted(struct db *db, struct arena *a, const char *event)
{
	const char *p[] = {event};
	PGresult *r;

	/* when it cannot be told, ask notify_event: it decides per channel */
	return db_query(db, a, &q_wanted, p, &r) || PQgetvalue(r, 0, 0)[0] == 't';
}

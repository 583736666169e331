/* channels: the admin API of notification channels (see channels.h). */
#include "notify/channels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/crypto.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"
#include "notify/deliver.h"
#include "notify/notify.h"
#include "notify/settings.h"

/* clang-format off */
#define CHANNEL_COLUMNS                                                                            \
	"c.id, c.name, c.kind, c.enabled, array_to_json(c.events)::text, c.settings::text,"        \
	" c.secret IS NOT NULL, " SQL_TS("c.created_at") ", " SQL_TS("c.updated_at") ","          \
	" (SELECT jsonb_build_object('id', d.id, 'event', d.event, 'status', d.status,"            \
	" 'created_at', " SQL_TS("d.created_at") ", 'sent_at', " SQL_TS("d.sent_at") ","            \
	" 'last_error', d.last_error)::text FROM notification_deliveries d"                        \
	" WHERE d.channel_id = c.id ORDER BY d.id DESC LIMIT 1)"
#define DELIVERY_COLUMNS                                                                           \
	"d.id, d.event, d.status, d.attempts, d.job_id, d.response_status, d.last_error,"          \
	" d.payload::text, " SQL_TS("d.created_at") ", " SQL_TS("d.sent_at")
enum { C_ID, C_NAME, C_KIND, C_ENABLED, C_EVENTS, C_SETTINGS, C_SECRET, C_CREATED, C_UPDATED,
       C_LAST };
enum { D_ID, D_EVENT, D_STATUS, D_ATTEMPTS, D_JOB, D_HTTP, D_ERROR, D_PAYLOAD, D_CREATED, D_SENT };

static const struct db_stmt q_all = {
    "notif_all",
    "SELECT " CHANNEL_COLUMNS " FROM notification_channels c ORDER BY lower(c.name) LIMIT 1000",
    0, true};
static const struct db_stmt q_one = {
    "notif_one", "SELECT " CHANNEL_COLUMNS " FROM notification_channels c WHERE c.id = $1",
    1, true};
static const struct db_stmt q_lock = {
    "notif_lock",
    "SELECT kind, settings::text, secret IS NOT NULL FROM notification_channels WHERE id = $1"
    " FOR UPDATE",
    1, false};
static const struct db_stmt q_insert = {
    "notif_insert",
    "INSERT INTO notification_channels (id, name, kind, enabled, events, settings, secret)"
    " VALUES ($1, $2, $3, coalesce($4::boolean, true), " SQL_TEXT_ARRAY("$5") ", $6::jsonb, $7)",
    7, false};
/* NULL keeps a column; $7 says the secret was given (null removes it) */
static const struct db_stmt q_update = {
    "notif_update",
    "UPDATE notification_channels SET name = coalesce($2, name),"
    " enabled = coalesce($3::boolean, enabled),"
    " events = CASE WHEN $4::text IS NULL THEN events ELSE " SQL_TEXT_ARRAY("$4") " END,"
    " settings = coalesce($5::jsonb, settings),"
    " secret = CASE WHEN $7::boolean THEN $6 ELSE secret END, updated_at = now() WHERE id = $1",
    7, false};
/* clang-format on */
static const struct db_stmt q_delete = {
    "notif_delete", "DELETE FROM notification_channels WHERE id = $1 RETURNING name", 1, false};
static const struct db_stmt q_exists = {
    "notif_exists", "SELECT 1 FROM notification_channels WHERE id = $1", 1, true};
static const struct db_stmt q_deliveries = {
    "notif_deliveries",
    "SELECT " DELIVERY_COLUMNS " FROM notification_deliveries d WHERE d.channel_id = $1"
    " AND ($2::bigint IS NULL OR d.id < $2::bigint) ORDER BY d.id DESC LIMIT $3 OFFSET $4",
    4, true};
static const struct db_stmt q_deliveries_count = {
    "notif_deliveries_count", "SELECT count(*) FROM notification_deliveries WHERE channel_id = $1",
    1, true};

/* --- input ------------------------------------------------------------------------ */

#define NAME_FIELD(req)                                                                            \
	{                                                                                          \
		.name = "name", .type = BT_STRING, .required = req, .null = BN_REFUSE, .min = 1,   \
		.max = 100, .chars = true, .text = true                                            \
	}
#define EVENTS_FIELD(req)                                                                          \
	{                                                                                          \
		.name = "events", .type = BT_ARRAY, .required = req, .null = BN_REFUSE, .max = 20, \
		.unique = true, .items = &notify_event_item,                                       \
		.doc = "The events the channel wants."                                             \
	}

const struct body_field notifications_create_body[] = {
    NAME_FIELD(true),
    {.name = "kind", .type = BT_ENUM, .required = true, .choices = notify_kind_choices},
    {.name = "enabled", .type = BT_BOOL, .null = BN_REFUSE},
    EVENTS_FIELD(true),
    {.name = "settings", .type = BT_OBJECT, .required = true, .fields = notify_settings_fields},
    {.name = "secret",
     .type = BT_STRING,
     .null = BN_REFUSE,
     .min = 1,
     .max = 2048,
     .text = true,
     .doc = "Written, never read back."},
    {0},
};

const struct body_field notifications_update_body[] = {
    NAME_FIELD(false),
    {.name = "enabled", .type = BT_BOOL, .null = BN_REFUSE},
    EVENTS_FIELD(false),
    {.name = "settings", .type = BT_OBJECT, .null = BN_REFUSE, .fields = notify_settings_fields},
    {.name = "secret",
     .type = BT_STRING,
     .null = BN_ALLOW,
     .min = 1,
     .max = 2048,
     .text = true,
     .doc = "Written, never read back; null removes it."},
    {0},
};

const struct param_spec notifications_deliveries_query[] = {PAGE_PARAMS, {0}};

/* --- secrets ---------------------------------------------------------------------- */

/* The secret sealed for channel id (malloc'd), or an error naming secret
 * when no key is configured. */
static enum app_err seal_secret(struct request *req, const char *id, const char *secret,
                                char **sealed, struct field_error *fe)
{
	unsigned char key[32];
	const char *hex = req->app->cfg->auth_secret_key;

	*sealed = NULL;
	if (!hex || crypto_key_parse(hex, key))
		return field_fail(
		    fe, APP_ERR_VALIDATION, "secret",
		    "cannot be stored: auth.secret_key is not set in the configuration");
	*sealed = crypto_seal_text(key, notify_secret_aad(req->arena, id), secret);
	OPENSSL_cleanse(key, sizeof(key));
	return *sealed ? APP_OK : APP_ERR_INTERNAL;
}

static void free_sealed(char *sealed)
{
	if (sealed) {
		OPENSSL_cleanse(sealed, strlen(sealed));
		free(sealed);
	}
}

/* text of a cJSON value in the arena (NULL for NULL) */
static const char *json_text(struct request *req, const cJSON *v)
{
	char *t;
	const char *out;

	if (!v)
		return NULL;
	if (!(t = cJSON_PrintUnformatted(v)))
		return NULL;
	out = arena_strdup(req->arena, t);
	free(t);
	return out;
}

/* --- output ----------------------------------------------------------------------- */

static void raw_or_null(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	jw_key(w, key);
	if (PQgetisnull(r, row, col))
		jw_null(w);
	else
		jw_raw(w, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

static void channel_json(struct jw *w, const PGresult *r, int row)
{
	jw_obj_open(w);
	jw_kstr(w, "id", PQgetvalue(r, row, C_ID));
	jw_kstr(w, "name", PQgetvalue(r, row, C_NAME));
	jw_kstr(w, "kind", PQgetvalue(r, row, C_KIND));
	jw_kbool(w, "enabled", PQgetvalue(r, row, C_ENABLED)[0] == 't');
	raw_or_null(w, "events", r, row, C_EVENTS);
	raw_or_null(w, "settings", r, row, C_SETTINGS);
	jw_kbool(w, "secret_set", PQgetvalue(r, row, C_SECRET)[0] == 't');
	jw_kstr(w, "created_at", PQgetvalue(r, row, C_CREATED));
	jw_kstr(w, "updated_at", PQgetvalue(r, row, C_UPDATED));
	raw_or_null(w, "last_delivery", r, row, C_LAST);
	jw_obj_close(w);
}

/* The activity row's values: what the channel is now, header values and
 * the secret left out. */
static const char *audit_values(struct request *req, const PGresult *r, bool secret_changed)
{
	struct json_limits lim = {1 << 20, 32};
	cJSON *s = NULL, *h;
	struct buf b;
	struct jw w;
	const char *out;

	if (json_parse(PQgetvalue(r, 0, C_SETTINGS), (size_t)PQgetlength(r, 0, C_SETTINGS), &lim,
	               &s, NULL))
		return NULL;
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(s, "headers"))
	{
		if (cJSON_IsString(h))
			cJSON_SetValuestring(h, "(set)");
	}
	char *settings = cJSON_PrintUnformatted(s);
	cJSON_Delete(s);
	buf_init(&b, 1 << 20);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "name", PQgetvalue(r, 0, C_NAME));
	jw_kstr(&w, "kind", PQgetvalue(r, 0, C_KIND));
	jw_kbool(&w, "enabled", PQgetvalue(r, 0, C_ENABLED)[0] == 't');
	raw_or_null(&w, "events", r, 0, C_EVENTS);
	jw_key(&w, "settings");
	if (settings)
		jw_raw(&w, settings, strlen(settings));
	else
		jw_null(&w);
	jw_kbool(&w, "secret_set", PQgetvalue(r, 0, C_SECRET)[0] == 't');
	jw_kbool(&w, "secret_changed", secret_changed);
	jw_obj_close(&w);
	free(settings);
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

static const char *path_id(struct request *req)
{
	return req_path(req, "id")->str;
}

static enum app_err not_found(struct field_error *fe)
{
	return field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not a notification channel");
}

/* --- handlers ---------------------------------------------------------------------- */

enum app_err notifications_list(struct request *req, struct response *res, struct field_error *fe)
{
	(void)fe;
	return db_items_json(req->app->db, req->arena, &q_all, NULL, &res->body, channel_json);
}

enum app_err notifications_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *p[] = {path_id(req)};
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_one, p, &r)))
		return e;
	if (PQntuples(r) != 1)
		return not_found(fe);
	jw_init(&w, &res->body);
	channel_json(&w, r, 0);
	return APP_OK;
}

/* Write and audit, then answer with the channel as it is now. */
static enum app_err finish_write(struct request *req, struct response *res, const char *id,
                                 const char *action, bool secret_changed, int status)
{
	struct db *db = req->app->db;
	const char *p[] = {id};
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = db_query(db, req->arena, &q_one, p, &r)))
		return e;
	const char *values = audit_values(req, r, secret_changed);
	if (!values)
		return APP_ERR_NOMEM;
	struct audit_entry a = {NULL, action, "notification_channel", id, true, NULL, NULL, values};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		return e;
	res->status = status;
	jw_init(&w, &res->body);
	channel_json(&w, r, 0);
	return APP_OK;
}

static enum app_err name_taken(enum app_err e, struct field_error *fe)
{
	if (e == APP_ERR_CONFLICT)
		return field_fail(fe, APP_ERR_CONFLICT, "name", "is the name of another channel");
	return e;
}

enum app_err notifications_create(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *kind = req_body_str(req, "kind"), *secret = req_body_str(req, "secret");
	bool enabled, has_enabled = req_body_bool(req, "enabled", &enabled);
	cJSON *settings = cJSON_Duplicate(req_body(req, "settings"), true);
	char id[37], *sealed = NULL;
	const char *settings_text;
	enum app_err e;

	if (!settings)
		return APP_ERR_NOMEM;
	e = notify_settings_check(req->arena, kind, settings, secret != NULL, secret, fe);
	settings_text = e ? NULL : json_text(req, settings);
	cJSON_Delete(settings);
	if (e)
		return e;
	if (!settings_text || uuid_v4(id))
		return APP_ERR_NOMEM;
	if (secret && (e = seal_secret(req, id, secret, &sealed, fe)))
		return e;
	const char *p[] = {id,
	                   req_body_str(req, "name"),
	                   kind,
	                   has_enabled ? (enabled ? "true" : "false") : NULL,
	                   json_text(req, req_body(req, "events")),
	                   settings_text,
	                   sealed};
	if ((e = db_begin(db))) {
		free_sealed(sealed);
		return e;
	}
	e = db_query(db, req->arena, &q_insert, p, NULL);
	free_sealed(sealed);
	if (e || (e = finish_write(req, res, id, "notification.create", secret != NULL, 201)))
		goto fail;
	return APP_OK;
fail:
	db_rollback(db);
	return name_taken(e, fe);
}

enum app_err notifications_update(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = path_id(req), *secret = req_body_str(req, "secret");
	bool secret_given = req_body(req, "secret") != NULL;
	bool enabled, has_enabled = req_body_bool(req, "enabled", &enabled);
	const cJSON *given = req_body(req, "settings");
	struct json_limits lim = {1 << 20, 32};
	const char *p1[] = {id}, *settings_text = NULL;
	char *sealed = NULL;
	cJSON *settings = NULL;
	PGresult *old;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_lock, p1, &old)))
		goto fail;
	if (PQntuples(old) != 1) {
		e = not_found(fe);
		goto fail;
	}
	/* the settings as they will be, checked with the secret as it will be */
	bool has_secret = secret_given ? secret != NULL : PQgetvalue(old, 0, 2)[0] == 't';
	if (given)
		settings = cJSON_Duplicate(given, true);
	else if (json_parse(PQgetvalue(old, 0, 1), (size_t)PQgetlength(old, 0, 1), &lim, &settings,
	                    NULL))
		settings = NULL;
	if (!settings) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	e = notify_settings_check(req->arena, PQgetvalue(old, 0, 0), settings, has_secret, secret,
	                          fe);
	if (!e && given && !(settings_text = json_text(req, settings)))
		e = APP_ERR_NOMEM;
	cJSON_Delete(settings);
	if (e || (secret && (e = seal_secret(req, id, secret, &sealed, fe))))
		goto fail;
	const char *p[] = {id,
	                   req_body_str(req, "name"),
	                   has_enabled ? (enabled ? "true" : "false") : NULL,
	                   json_text(req, req_body(req, "events")),
	                   settings_text,
	                   sealed,
	                   secret_given ? "true" : "false"};
	e = db_query(db, req->arena, &q_update, p, NULL);
	free_sealed(sealed);
	if (e || (e = finish_write(req, res, id, "notification.update", secret_given, 200)))
		goto fail;
	return APP_OK;
fail:
	db_rollback(db);
	return name_taken(e, fe);
}

enum app_err notifications_delete(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = path_id(req), *p[] = {id};
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_delete, p, &r)))
		goto fail;
	if (PQntuples(r) != 1) {
		e = not_found(fe);
		goto fail;
	}
	struct audit_entry a = {
	    NULL, "notification.delete", "notification_channel", id, true, NULL, NULL, NULL};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		goto fail;
	res->status = 204;
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

enum app_err notifications_test(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = path_id(req);
	int64_t delivery, job;
	struct jw w;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = notify_test(db, req->arena, id, req->who->user_id, &delivery, &job))) {
		if (e == APP_ERR_NOT_FOUND)
			e = not_found(fe);
		goto fail;
	}
	struct audit_entry a = {
	    NULL,
	    "notification.test",
	    "notification_channel",
	    id,
	    true,
	    NULL,
	    NULL,
	    arena_printf(req->arena, "{\"delivery_id\":%lld}", (long long)delivery)};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		goto fail;
	res->status = 202;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kint(&w, "delivery_id", delivery);
	jw_kint(&w, "job_id", job);
	jw_obj_close(&w);
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

static void delivery_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	db_json_int(w, "id", r, row, D_ID);
	jw_kstr(w, "event", PQgetvalue(r, row, D_EVENT));
	jw_kstr(w, "status", PQgetvalue(r, row, D_STATUS));
	db_json_int(w, "attempts", r, row, D_ATTEMPTS);
	db_json_int(w, "job_id", r, row, D_JOB);
	db_json_int(w, "response_status", r, row, D_HTTP);
	db_json_str(w, "last_error", r, row, D_ERROR);
	raw_or_null(w, "payload", r, row, D_PAYLOAD);
	jw_kstr(w, "created_at", PQgetvalue(r, row, D_CREATED));
	db_json_str(w, "sent_at", r, row, D_SENT);
	jw_obj_close(w);
}

enum app_err notifications_deliveries(struct request *req, struct response *res,
                                      struct field_error *fe)
{
	const struct page_list l = {.list = &q_deliveries,
	                            .count = &q_deliveries_count,
	                            .item = delivery_item,
	                            .key_col = D_ID,
	                            .id_col = D_ID,
	                            .id_only = true};
	const char *params[6] = {path_id(req)};
	struct page p;
	int64_t after;
	PGresult *r;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_exists, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return not_found(fe);
	if (p.after && parse_int64(p.id, 1, INT64_MAX, &after) < 0)
		return field_fail(fe, APP_ERR_VALIDATION, "cursor",
		                  "is not a cursor this list issued");
	return page_run(req, res, &p, &l, params, 1, fe);
}

/* channels: the admin API of notification channels (see channels.h). */
#include "notify/channels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
#include "notify/template.h"

#define MAX_HEADERS 20

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
/* clang-format on */
enum {
	C_ID,
	C_NAME,
	C_KIND,
	C_ENABLED,
	C_EVENTS,
	C_SETTINGS,
	C_SECRET,
	C_CREATED,
	C_UPDATED,
	C_LAST
};
enum { D_ID, D_EVENT, D_STATUS, D_ATTEMPTS, D_JOB, D_HTTP, D_ERROR, D_PAYLOAD, D_CREATED, D_SENT };

static const struct db_stmt q_all = {
    "notif_all",
    "SELECT " CHANNEL_COLUMNS " FROM notification_channels c ORDER BY lower(c.name) LIMIT 1000", 0,
    true};
static const struct db_stmt q_one = {
    "notif_one", "SELECT " CHANNEL_COLUMNS " FROM notification_channels c WHERE c.id = $1", 1,
    true};
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
    " events = CASE WHEN $4::text IS NULL THEN events ELSE " SQL_TEXT_ARRAY(
        "$4") " END,"
              " settings = coalesce($5::jsonb, settings),"
              " secret = CASE WHEN $7::boolean THEN $6 ELSE secret END, updated_at = now() WHERE "
              "id = $1",
    7, false};
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

/* --- input ----------------------------------------------------------------------- */

static const char *const kind_choices[] = {"webhook", "discord", "gotify", "email", NULL};
/* what a channel may subscribe to: every event but "test" */
static const char *const event_choices[] = {"content.added",         "content.removed",
                                            "library.scan_finished", "library.scan_failed",
                                            "user.created",          "auth.lockout",
                                            "auth.new_login",        "system.worker_down",
                                            "system.tmdb_failing",   NULL};
static const char *const method_choices[] = {"POST", "PUT", "PATCH", NULL};
static const char *const auth_choices[] = {"none", "bearer", "basic", "header", NULL};
static const char *const security_choices[] = {"starttls", "starttls_optional", "tls", "none",
                                               NULL};

static enum app_err check_url(const char *v, const char *field, struct field_error *fe)
{
	const char *host = !strncmp(v, "https://", 8)  ? v + 8
	                   : !strncmp(v, "http://", 7) ? v + 7
	                                               : NULL;

	if (!host || !host[0] || host[0] == '/' || strpbrk(v, " \t"))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be an http:// or https:// address");
	return APP_OK;
}

static enum app_err check_email(const char *v, const char *field, struct field_error *fe)
{
	return notify_email_ok(v) ? APP_OK
	                          : field_fail(fe, APP_ERR_VALIDATION, field,
	                                       "must be an e-mail address (name@domain)");
}

/* a host name, an IPv4 address or a bracketed IPv6 address */
static enum app_err check_host(const char *v, const char *field, struct field_error *fe)
{
	size_t n = strlen(v);
	bool v6 = v[0] == '[';

	if (v6 && (n < 3 || v[n - 1] != ']' || strspn(v + 1, "0123456789abcdefABCDEF:.") != n - 2))
		return field_fail(fe, APP_ERR_VALIDATION, field, "is not a bracketed IPv6 address");
	if (!v6 &&
	    (v[0] == '-' || v[0] == '.' ||
	     strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be a host name or an IP address");
	return APP_OK;
}

/* an HTTP token that curl and the receiver leave to us */
static enum app_err check_header_name(const char *v, const char *field, struct field_error *fe)
{
	static const char *const reserved[] = {"host",       "content-length", "transfer-encoding",
	                                       "connection", "expect",         "upgrade",
	                                       "te",         "trailer"};
	size_t n = strlen(v);

	if (!n || n > 64 ||
	    strspn(
	        v,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") !=
	        n)
		return field_fail(fe, APP_ERR_VALIDATION, field, "is not a header name");
	for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (!strcasecmp(v, reserved[i]))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "is a header the HTTP client sets itself");
	return APP_OK;
}

static const struct body_field event_item = {.type = BT_ENUM, .choices = event_choices};
static const struct body_field address_item = {
    .type = BT_STRING, .min = 3, .max = 254, .check = check_email};

static const struct body_field settings_fields[] = {
    {.name = "url",
     .type = BT_STRING,
     .min = 8,
     .max = 2048,
     .text = true,
     .check = check_url,
     .doc = "webhook: where to send; gotify: the server's address."},
    {.name = "method", .type = BT_ENUM, .choices = method_choices, .doc = "webhook: POST."},
    {.name = "headers",
     .type = BT_OBJECT,
     .doc = "webhook: extra headers, {name: value} (no secrets: use auth)."},
    {.name = "auth",
     .type = BT_ENUM,
     .choices = auth_choices,
     .doc = "webhook: how the secret is sent (none)."},
    {.name = "auth_header",
     .type = BT_STRING,
     .min = 1,
     .max = 64,
     .check = check_header_name,
     .doc = "webhook: the header carrying the secret with auth header."},
    {.name = "template",
     .type = BT_STRING,
     .min = 1,
     .max = NOTIFY_TEMPLATE_MAX,
     .doc = "webhook: the JSON body with {{placeholders}} ({{payload}})."},
    {.name = "username",
     .type = BT_STRING,
     .min = 1,
     .max = 254,
     .text = true,
     .doc = "discord: the name posts appear under; email: the SMTP login."},
    {.name = "priority", .type = BT_INT, .min = 0, .max = 10, .doc = "gotify: 0..10 (5)."},
    {.name = "smtp_host", .type = BT_STRING, .min = 1, .max = 253, .check = check_host},
    {.name = "smtp_port", .type = BT_INT, .min = 1, .max = 65535},
    {.name = "security", .type = BT_ENUM, .choices = security_choices},
    {.name = "from", .type = BT_STRING, .min = 3, .max = 254, .check = check_email},
    {.name = "to", .type = BT_ARRAY, .min = 1, .max = 20, .unique = true, .items = &address_item},
    {0},
};

#define NAME_FIELD(req)                                                                            \
	{                                                                                          \
		.name = "name", .type = BT_STRING, .required = req, .null = BN_REFUSE, .min = 1,   \
		.max = 100, .chars = true, .text = true                                            \
	}
#define EVENTS_FIELD(req)                                                                          \
	{                                                                                          \
		.name = "events", .type = BT_ARRAY, .required = req, .null = BN_REFUSE, .max = 20, \
		.unique = true, .items = &event_item, .doc = "The events the channel wants."       \
	}

const struct body_field notifications_create_body[] = {
    NAME_FIELD(true),
    {.name = "kind", .type = BT_ENUM, .required = true, .choices = kind_choices},
    {.name = "enabled", .type = BT_BOOL, .null = BN_REFUSE},
    EVENTS_FIELD(true),
    {.name = "settings", .type = BT_OBJECT, .required = true, .fields = settings_fields},
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
    {.name = "settings", .type = BT_OBJECT, .null = BN_REFUSE, .fields = settings_fields},
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

/* --- settings by kind --------------------------------------------------------------- */

struct kind_rule {
	const char *kind;
	const char *const *keys;     /* the settings it takes */
	const char *const *required; /* of which these must be given */
};

static const char *const webhook_keys[] = {"url",         "method",   "headers", "auth",
                                           "auth_header", "template", NULL};
static const char *const webhook_req[] = {"url", NULL};
static const char *const discord_keys[] = {"username", NULL};
static const char *const gotify_keys[] = {"url", "priority", NULL};
static const char *const email_keys[] = {"smtp_host", "smtp_port", "security", "from",
                                         "to",        "username",  NULL};
static const char *const email_req[] = {"smtp_host", "from", "to", NULL};
static const char *const none[] = {NULL};

static const struct kind_rule rules[] = {
    {"webhook", webhook_keys, webhook_req},
    {"discord", discord_keys, none},
    {"gotify", gotify_keys, webhook_req},
    {"email", email_keys, email_req},
};

static bool listed(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return true;
	return false;
}

static const struct kind_rule *rule_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (!strcmp(rules[i].kind, kind))
			return &rules[i];
	return NULL;
}

static void set_default(cJSON *s, const char *key, cJSON *v)
{
	if (!cJSON_GetObjectItemCaseSensitive(s, key))
		cJSON_AddItemToObject(s, key, v);
	else
		cJSON_Delete(v);
}

static enum app_err check_headers(struct request *req, const cJSON *headers, struct field_error *fe)
{
	const cJSON *h;
	int n = 0;
	enum app_err e;

	cJSON_ArrayForEach(h, headers)
	{
		const char *field = arena_printf(req->arena, "settings.headers.%.40s", h->string);
		if (++n > MAX_HEADERS)
			return field_fail(fe, APP_ERR_VALIDATION, "settings.headers",
			                  "has more than %d headers", MAX_HEADERS);
		if ((e = check_header_name(h->string, field, fe)))
			return e;
		if (!cJSON_IsString(h) || strlen(h->valuestring) > 1024 ||
		    has_control(h->valuestring, strlen(h->valuestring)))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "must be a string of at most 1024 bytes without control "
			                  "characters");
	}
	return APP_OK;
}

/* A made-up event a template must render to JSON for: quotes, a
 * backslash and a line break where they would break a careless one. */
static enum app_err check_template(const char *tmpl, struct field_error *fe)
{
	cJSON *data = cJSON_Parse("{\"library_id\":\"6f1c2d3e-0000-4000-8000-000000000001\","
	                          "\"count\":3,\"name\":\"Films \\\"HD\\\"\"}");
	struct notify_msg m = {"test", "Test \"notification\"", "line one\\\nline two",
	                       "2025-01-01T00:00:00.000Z", data};
	struct buf out;
	char why[160];
	int rc;

	buf_init(&out, NOTIFY_RENDER_MAX);
	rc = notify_render_check(tmpl, &m, &out, why, sizeof(why));
	buf_release(&out);
	cJSON_Delete(data);
	if (rc)
		return field_fail(fe, APP_ERR_VALIDATION, "settings.template", "%s", why);
	return APP_OK;
}

/*
 * Check settings (a copy the caller owns) against kind and fill in its
 * defaults; has_secret: the channel will have a secret. The failing member
 * in fe.
 */
static enum app_err check_settings(struct request *req, const char *kind, cJSON *s, bool has_secret,
                                   const char *secret, struct field_error *fe)
{
	const struct kind_rule *k = rule_of(kind);
	const cJSON *it;
	enum app_err e;

	if (!k)
		return field_fail(fe, APP_ERR_VALIDATION, "kind", "is not a channel kind");
	cJSON_ArrayForEach(it, s)
	{
		if (!listed(k->keys, it->string))
			return field_fail(fe, APP_ERR_VALIDATION,
			                  arena_printf(req->arena, "settings.%s", it->string),
			                  "is not a setting of a %s channel", kind);
	}
	for (const char *const *r = k->required; *r; r++)
		if (!cJSON_GetObjectItemCaseSensitive(s, *r))
			return field_fail(fe, APP_ERR_VALIDATION,
			                  arena_printf(req->arena, "settings.%s", *r),
			                  "is required for a %s channel", kind);
	if (!strcmp(kind, "webhook")) {
		set_default(s, "method", cJSON_CreateString("POST"));
		set_default(s, "auth", cJSON_CreateString("none"));
		const char *auth = cJSON_GetStringValue(cJSON_GetObjectItem(s, "auth"));
		const char *tmpl = cJSON_GetStringValue(cJSON_GetObjectItem(s, "template"));
		bool named = cJSON_GetObjectItemCaseSensitive(s, "auth_header") != NULL;
		if (auth && !strcmp(auth, "header") && !named)
			return field_fail(fe, APP_ERR_VALIDATION, "settings.auth_header",
			                  "is required with auth header");
		if (named && (!auth || strcmp(auth, "header")))
			return field_fail(fe, APP_ERR_VALIDATION, "settings.auth_header",
			                  "is only used with auth header");
		if (auth && strcmp(auth, "none") && !has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required with auth %s", auth);
		if (auth && !strcmp(auth, "basic") && secret && !strchr(secret, ':'))
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "must be user:password with auth basic");
		if ((e = check_headers(req, cJSON_GetObjectItem(s, "headers"), fe)) ||
		    (tmpl && (e = check_template(tmpl, fe))))
			return e;
	} else if (!strcmp(kind, "discord")) {
		if (!has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required: the Discord webhook URL");
		if (secret && (e = check_url(secret, "secret", fe)))
			return e;
	} else if (!strcmp(kind, "gotify")) {
		set_default(s, "priority", cJSON_CreateNumber(5));
		if (!has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required: the Gotify application token");
	} else {
		set_default(s, "security", cJSON_CreateString("starttls"));
		const char *sec = cJSON_GetStringValue(cJSON_GetObjectItem(s, "security"));
		set_default(s, "smtp_port",
		            cJSON_CreateNumber(sec && !strcmp(sec, "tls") ? 465 : 587));
		if (cJSON_GetObjectItemCaseSensitive(s, "username") && !has_secret)
			return field_fail(fe, APP_ERR_VALIDATION, "secret",
			                  "is required with settings.username: the SMTP password");
	}
	return APP_OK;
}

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
	PGresult *r;
	struct jw w;
	enum app_err e;

	(void)fe;
	if ((e = db_query(req->app->db, req->arena, &q_all, NULL, &r)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	for (int i = 0; i < PQntuples(r); i++)
		channel_json(&w, r, i);
	jw_arr_close(&w);
	jw_obj_close(&w);
	return APP_OK;
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
	e = check_settings(req, kind, settings, secret != NULL, secret, fe);
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
	e = check_settings(req, PQgetvalue(old, 0, 0), settings, has_secret, secret, fe);
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

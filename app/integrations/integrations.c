/* integrations: Radarr/Sonarr settings and webhooks (see integrations.h). */
#include "integrations/integrations.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/ratelimit.h"
#include "core/config.h"
#include "core/crypto.h"
#include "core/log.h"
#include <openssl/crypto.h>
#include "db/sql.h"
#include "integrations/arr.h"
#include "integrations/arr_api.h"
#include "jobs/jobs.h"

/* clang-format off */
#define INTEGRATION_COLUMNS                                                                        \
	"i.kind, i.enabled, i.base_url, i.path_map::text, " SQL_TS("i.created_at") ", "            \
	SQL_TS("i.updated_at") ", (SELECT jsonb_build_object('event_type', r.event_type,"          \
	" 'received_at', " SQL_TS("r.received_at") ", 'job_id', r.job_id)::text FROM"              \
	" webhook_receipts r WHERE r.kind = i.kind ORDER BY r.id DESC LIMIT 1),"                   \
	" (SELECT count(*) FROM webhook_receipts r WHERE r.kind = i.kind"                          \
	" AND r.received_at > now() - interval '24 hours'), i.api_key_sealed IS NOT NULL,"          \
	" i.sync_interval_minutes, " SQL_TS("i.last_sync_at") ", i.last_sync::text"
/* clang-format on */
enum {
	IC_KIND,
	IC_ENABLED,
	IC_URL,
	IC_MAP,
	IC_CREATED,
	IC_UPDATED,
	IC_LAST,
	IC_DAY,
	IC_KEY_SET,
	IC_INTERVAL,
	IC_SYNC_AT,
	IC_SYNC
};

static const struct db_stmt q_all = {
    "integ_all", "SELECT " INTEGRATION_COLUMNS " FROM integrations i ORDER BY i.kind", 0, true};
static const struct db_stmt q_one = {
    "integ_one", "SELECT " INTEGRATION_COLUMNS " FROM integrations i WHERE i.kind = $1", 1, false};
static const struct db_stmt q_lock = {
    "integ_lock",
    "SELECT enabled, base_url, path_map::text FROM integrations WHERE kind = $1 FOR UPDATE", 1,
    false};
static const struct db_stmt q_insert = {
    "integ_insert",
    "INSERT INTO integrations (kind, enabled, base_url, webhook_secret_sha256, path_map,"
    " api_key_sealed, sync_interval_minutes) SELECT $1, coalesce($2::boolean, true), $3,"
    " decode($4, 'hex'), coalesce($5::jsonb, '[]'), $7, coalesce($8::int, 360)"
    /* the update's flags: always given, unused here */
    " WHERE $6::boolean IS NOT NULL AND $9::boolean IS NOT NULL",
    9, false};
/* NULL keeps a column ($6 says base_url was given, so null clears it;
 * $9 the same for api_key) */
static const struct db_stmt q_update = {
    "integ_update",
    "UPDATE integrations SET enabled = coalesce($2::boolean, enabled),"
    " base_url = CASE WHEN $6::boolean THEN $3 ELSE base_url END,"
    " webhook_secret_sha256 = coalesce(decode($4, 'hex'), webhook_secret_sha256),"
    " path_map = coalesce($5::jsonb, path_map),"
    " api_key_sealed = CASE WHEN $9::boolean THEN $7 ELSE api_key_sealed END,"
    " sync_interval_minutes = coalesce($8::int, sync_interval_minutes), updated_at = now()"
    " WHERE kind = $1",
    9, false};
static const struct db_stmt q_delete = {
    "integ_delete", "DELETE FROM integrations WHERE kind = $1 RETURNING kind", 1, false};

static const struct db_stmt q_secret = {
    "integ_secret",
    "SELECT encode(webhook_secret_sha256, 'hex'), path_map::text FROM integrations"
    " WHERE kind = $1 AND enabled",
    1, false};
/* the enabled library of type $2 whose folders hold $1 */
static const struct db_stmt q_library_of = {
    "integ_library_of",
    "SELECT id FROM (SELECT " ARR_LIBRARY_OF("$1", "$2") " AS id) x WHERE id IS NOT NULL",
    2, false};
/* $6 guarded: a body that writes may come once */
static const struct db_stmt q_receipt = {
    "integ_receipt",
    "INSERT INTO webhook_receipts (kind, event_type, body_sha256, summary, guarded)"
    " VALUES ($1, $2, decode($3, 'hex'), $4::jsonb, $5::boolean)"
    " ON CONFLICT (kind, body_sha256) WHERE guarded DO NOTHING RETURNING id",
    5, false};
static const struct db_stmt q_receipt_seen = {
    "integ_receipt_seen",
    "SELECT " SQL_TS("received_at") " FROM webhook_receipts WHERE kind = $1"
                                    " AND body_sha256 = decode($2, 'hex') AND guarded",
    2, false};
static const struct db_stmt q_receipt_job = {
    "integ_receipt_job", "UPDATE webhook_receipts SET job_id = $2 WHERE id = $1", 2, false};
static const struct db_stmt q_hint = {
    "integ_hint",
    "INSERT INTO path_hints (library_id, path, source, tmdb_id, imdb_id, tvdb_id)"
    " VALUES ($1, $2, $3, $4::int, $5, $6::int) ON CONFLICT (library_id, path) DO UPDATE"
    " SET source = EXCLUDED.source, tmdb_id = EXCLUDED.tmdb_id, imdb_id = EXCLUDED.imdb_id,"
    " tvdb_id = EXCLUDED.tvdb_id, updated_at = now()",
    6, false};

/* --- settings -------------------------------------------------------------------- */

static const struct body_field path_rule_fields[] = {
    {.name = "remote",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 4096,
     .text = true,
     .doc = "A folder as Radarr/Sonarr name it."},
    {.name = "local",
     .type = BT_STRING,
     .required = true,
     .min = 1,
     .max = 4096,
     .text = true,
     .doc = "The same folder as this server sees it."},
    {0},
};
static const struct body_field path_rule = {.type = BT_OBJECT, .fields = path_rule_fields};

const struct body_field integrations_put_body[] = {
    {.name = "enabled", .type = BT_BOOL, .null = BN_REFUSE},
    {.name = "base_url",
     .type = BT_STRING,
     .null = BN_ALLOW,
     .min = 8,
     .max = 2048,
     .text = true,
     .doc = "http(s) address of the Radarr/Sonarr API; null clears it."},
    {.name = "webhook_secret",
     .type = BT_STRING,
     .null = BN_REFUSE,
     .min = 16,
     .max = 256,
     .text = true,
     .doc = "The webhook's password (16 or more characters); absent on a new integration: one is "
            "generated and returned once."},
    {.name = "api_key",
     .type = BT_STRING,
     .null = BN_ALLOW,
     .min = 16,
     .max = 128,
     .text = true,
     .doc = "The Radarr/Sonarr API key (Settings → General), for the sync and the status pages; "
            "kept sealed (auth.secret_key); null removes it."},
    {.name = "sync_interval_minutes",
     .type = BT_INT,
     .null = BN_REFUSE,
     .min = 0,
     .max = 10080,
     .doc = "How often the periodic sync runs (0: only on demand); default 360."},
    {.name = "path_map",
     .type = BT_ARRAY,
     .null = BN_REFUSE,
     .max = 32,
     .items = &path_rule,
     .doc = "Folders to rewrite, [{\"remote\", \"local\"}]: the longest matching remote wins."},
    {0},
};

static enum app_err kind_of(struct request *req, struct field_error *fe, const char **kind)
{
	*kind = req_path(req, "kind")->str;
	if (arr_kind_parse(*kind) < 0)
		return field_fail(fe, APP_ERR_NOT_FOUND, "kind", "is not radarr or sonarr");
	return APP_OK;
}

static void raw_or_null(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	jw_key(w, key);
	if (PQgetisnull(r, row, col))
		jw_null(w);
	else
		jw_raw(w, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* one integration; r NULL: not set up */
static void integration_json(struct jw *w, const char *kind, const PGresult *r, int row,
                             const char *secret)
{
	jw_obj_open(w);
	jw_kstr(w, "kind", kind);
	jw_kbool(w, "configured", r != NULL);
	jw_kstr(w, "webhook_url",
	        arr_kind_parse(kind) == ARR_SONARR ? "/api/v1/webhooks/sonarr"
	                                           : "/api/v1/webhooks/radarr");
	if (r) {
		jw_kbool(w, "enabled", PQgetvalue(r, row, IC_ENABLED)[0] == 't');
		if (PQgetisnull(r, row, IC_URL))
			jw_knull(w, "base_url");
		else
			jw_kstr(w, "base_url", PQgetvalue(r, row, IC_URL));
		raw_or_null(w, "path_map", r, row, IC_MAP);
		jw_kstr(w, "created_at", PQgetvalue(r, row, IC_CREATED));
		jw_kstr(w, "updated_at", PQgetvalue(r, row, IC_UPDATED));
		raw_or_null(w, "last_webhook", r, row, IC_LAST);
		jw_key(w, "webhooks_24h");
		jw_raw(w, PQgetvalue(r, row, IC_DAY), (size_t)PQgetlength(r, row, IC_DAY));
		jw_kbool(w, "api_key_set", PQgetvalue(r, row, IC_KEY_SET)[0] == 't');
		jw_key(w, "sync_interval_minutes");
		jw_raw(w, PQgetvalue(r, row, IC_INTERVAL),
		       (size_t)PQgetlength(r, row, IC_INTERVAL));
		if (PQgetisnull(r, row, IC_SYNC_AT))
			jw_knull(w, "last_sync_at");
		else
			jw_kstr(w, "last_sync_at", PQgetvalue(r, row, IC_SYNC_AT));
		raw_or_null(w, "last_sync", r, row, IC_SYNC);
	}
	if (secret)
		jw_kstr(w, "webhook_secret", secret);
	jw_obj_close(w);
}

enum app_err integrations_list(struct request *req, struct response *res, struct field_error *fe)
{
	static const char *const kinds[] = {"radarr", "sonarr"};
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
	for (int k = 0; k < 2; k++) {
		int row = -1;
		for (int i = 0; i < PQntuples(r); i++)
			if (!strcmp(PQgetvalue(r, i, IC_KIND), kinds[k]))
				row = i;
		integration_json(&w, kinds[k], row < 0 ? NULL : r, row, NULL);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	return APP_OK;
}

enum app_err integrations_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *kind;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = kind_of(req, fe, &kind)))
		return e;
	const char *p[] = {kind};
	if ((e = db_query(req->app->db, req->arena, &q_one, p, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "kind", "%s is not set up", kind);
	jw_init(&w, &res->body);
	integration_json(&w, kind, r, 0, NULL);
	return APP_OK;
}

/* the path map as JSON text with every folder checked, or an error naming it */
static enum app_err path_map_text(struct request *req, struct field_error *fe, const char **out)
{
	const cJSON *map = req_body(req, "path_map"), *rule;
	int i = 0;

	*out = NULL;
	if (!map)
		return APP_OK;
	cJSON_ArrayForEach(rule, map)
	{
		static const char *const sides[] = {"remote", "local"};
		for (int s = 0; s < 2; s++) {
			const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(rule, sides[s]));
			if (!arr_map_path(req->arena, NULL, v))
				return field_fail(
				    fe, APP_ERR_VALIDATION,
				    arena_printf(req->arena, "path_map[%d].%s", i, sides[s]),
				    "must be an absolute path without . or .. segments");
		}
		i++;
	}
	char *text = cJSON_PrintUnformatted(map);
	*out = text ? arena_strdup(req->arena, text) : NULL;
	free(text);
	return *out ? APP_OK : APP_ERR_NOMEM;
}

enum app_err integrations_put(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *kind, *url = req_body_str(req, "base_url"),
	                  *secret = req_body_str(req, "webhook_secret");
	const char *map, *made = NULL;
	char hash_hex[65] = "";
	bool enabled, has_enabled = req_body_bool(req, "enabled", &enabled);
	PGresult *old, *r;
	struct jw w;
	enum app_err e;

	if ((e = kind_of(req, fe, &kind)))
		return e;
	if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
		return field_fail(fe, APP_ERR_VALIDATION, "base_url",
		                  "must start with http:// or https://");
	if ((e = path_map_text(req, fe, &map)))
		return e;
	const char *p1[] = {kind};
	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_lock, p1, &old)))
		goto fail;
	if (!secret && PQntuples(old) == 0) {
		/* a new integration without a secret: 256 random bits, shown once */
		unsigned char raw[32];
		char *gen = arena_alloc(req->arena, 48);
		if (!gen || crypto_random(raw, sizeof(raw))) {
			e = APP_ERR_INTERNAL;
			goto fail;
		}
		base64url_encode(raw, sizeof(raw), gen);
		secret = made = gen;
	}
	if (secret)
		crypto_sha256_hex(secret, strlen(secret), hash_hex);
	/* the API key is kept sealed, bound to this integration */
	const char *api_key = req_body_str(req, "api_key"), *sealed = NULL;
	if (api_key) {
		unsigned char key[32];
		if (crypto_key_parse(req->app->cfg->auth_secret_key, key)) {
			e = field_fail(
			    fe, APP_ERR_CONFLICT, "api_key",
			    "cannot be stored: auth.secret_key is not set on this server");
			goto fail;
		}
		char *s = crypto_seal_text(
		    key, arena_printf(req->arena, "integration:%s:api_key", kind), api_key);
		OPENSSL_cleanse(key, sizeof(key));
		sealed = s ? arena_strdup(req->arena, s) : NULL;
		free(s);
		if (!sealed) {
			e = APP_ERR_INTERNAL;
			goto fail;
		}
	}
	int64_t interval;
	const char *interval_text = req_body_int(req, "sync_interval_minutes", &interval)
	                                ? arena_printf(req->arena, "%lld", (long long)interval)
	                                : NULL;
	const char *p[] = {kind,
	                   has_enabled ? (enabled ? "true" : "false") : NULL,
	                   url,
	                   hash_hex[0] ? hash_hex : NULL,
	                   map,
	                   req_body(req, "base_url") ? "true" : "false",
	                   sealed,
	                   interval_text,
	                   req_body(req, "api_key") ? "true" : "false"};
	if ((e = db_query(db, req->arena, PQntuples(old) ? &q_update : &q_insert, p, NULL)) ||
	    (e = db_query(db, req->arena, &q_one, p1, &r)))
		goto fail;
	/* the audit row names what changed, never the secret itself */
	const char *values =
	    arena_printf(req->arena,
	                 "{\"enabled\":%s,\"base_url\":%s,\"path_map\":%s,\"secret_changed\":%s,"
	                 "\"api_key_changed\":%s,\"sync_interval_minutes\":%s}",
	                 PQgetvalue(r, 0, IC_ENABLED)[0] == 't' ? "true" : "false",
	                 PQgetisnull(r, 0, IC_URL) ? "null" : "\"(set)\"", PQgetvalue(r, 0, IC_MAP),
	                 secret ? "true" : "false", req_body(req, "api_key") ? "true" : "false",
	                 PQgetvalue(r, 0, IC_INTERVAL));
	if (!values) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	struct audit_entry a = {NULL,  "integration.update", "integration", kind, true, NULL, NULL,
	                        values};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		goto fail;
	res->status = PQntuples(old) ? 200 : 201;
	jw_init(&w, &res->body);
	integration_json(&w, kind, r, 0, made);
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

enum app_err integrations_delete(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *kind;
	PGresult *r;
	enum app_err e;

	if ((e = kind_of(req, fe, &kind)))
		return e;
	const char *p[] = {kind};
	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_delete, p, &r)))
		goto fail;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "kind", "%s is not set up", kind);
		goto fail;
	}
	struct audit_entry a = {NULL, "integration.delete", "integration", kind, true, NULL, NULL,
	                        NULL};
	if ((e = audit_write(req, &a)) || (e = db_commit(db)))
		goto fail;
	res->status = 204;
	return APP_OK;
fail:
	db_rollback(db);
	return e;
}

/* --- webhooks -------------------------------------------------------------------- */

/* The secret a caller presents: the password of HTTP basic auth, or the
 * X-Webhook-Secret header; NULL when neither (in the arena). */
static const char *presented_secret(struct request *req)
{
	const char *h = req_header(req, "X-Webhook-Secret");
	const char *auth = req_header(req, "Authorization");

	if (h && h[0])
		return h;
	if (!auth || strncasecmp(auth, "Basic ", 6))
		return NULL;
	auth += 6;
	while (*auth == ' ')
		auth++;
	/* standard base64 as base64url, without padding */
	size_t n = strlen(auth);
	char *t = arena_alloc(req->arena, n + 1), *out = arena_alloc(req->arena, n + 1);
	size_t k = 0;
	if (!t || !out || n > 4096)
		return NULL;
	for (size_t i = 0; i < n && auth[i] != '='; i++)
		t[k++] = auth[i] == '+' ? '-' : auth[i] == '/' ? '_' : auth[i];
	t[k] = 0;
	long len = base64url_decode(t, k, out, n);
	if (len < 0)
		return NULL;
	out[len] = 0;
	if ((size_t)len != strlen(out))
		return NULL; /* a NUL inside */
	char *colon = strchr(out, ':');
	return colon ? colon + 1 : NULL;
}

/* {"event","title","folder","action"} for the receipt */
static const char *summary_text(struct request *req, const struct arr_event *ev,
                                const char *library_id)
{
	static const char *const actions[] = {"log", "hint", "sync"};
	struct buf b;
	struct jw w;
	const char *out;

	buf_init(&b, 64 * 1024);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "action", actions[ev->action]);
	if (ev->title)
		jw_kstr(&w, "title", ev->title);
	if (ev->folder)
		jw_kstr(&w, "folder", ev->folder);
	if (library_id)
		jw_kstr(&w, "library_id", library_id);
	jw_obj_close(&w);
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

/* the integration.event job's args */
static const char *job_args(struct request *req, enum arr_kind kind, const struct arr_event *ev,
                            const char *library_id)
{
	struct buf b;
	struct jw w;
	const char *out;

	buf_init(&b, 1024 * 1024);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_kstr(&w, "source", arr_kind_name(kind));
	jw_kstr(&w, "event", ev->event);
	jw_kstr(&w, "library_id", library_id);
	jw_kstr(&w, "folder", ev->folder);
	jw_kstr(&w, "scan", ev->scan);
	jw_key(&w, "drop");
	jw_arr_open(&w);
	for (int i = 0; i < ev->ndrop; i++)
		jw_str(&w, ev->drop[i]);
	jw_arr_close(&w);
	jw_kbool(&w, "forget", ev->forget);
	jw_kbool(&w, "rematch", ev->rematch);
	jw_obj_close(&w);
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

static const char *id_text(struct request *req, int64_t v)
{
	return v ? arena_printf(req->arena, "%lld", (long long)v) : NULL;
}

enum app_err webhooks_receive(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	enum arr_kind kind = strstr(req->route->name, "sonarr") ? ARR_SONARR : ARR_RADARR;
	const char *kname = arr_kind_name(kind), *secret = presented_secret(req);
	const char *pk[] = {kname};
	unsigned char h[32], want[32];
	char body_hex[65];
	PGresult *r;
	struct arr_event ev;
	cJSON *body = NULL, *map = NULL;
	const char *library_id = NULL;
	int64_t job_id = 0;
	enum app_err e;

	/* who is calling, before anything of the body is looked at */
	if ((e = db_query(db, req->arena, &q_secret, pk, &r)))
		return e;
	crypto_sha256(secret ? secret : "", secret ? strlen(secret) : 0, h);
	bool ok = PQntuples(r) == 1 && hex_decode(PQgetvalue(r, 0, 0), want, sizeof(want)) == 0 &&
	          crypto_equal(h, want, sizeof(h)) && secret;
	if (!ok) {
		int retry;
		if (ratelimit_failure(req, &retry)) {
			char secs[16];
			snprintf(secs, sizeof(secs), "%d", retry);
			res_header(res, "Retry-After", secs);
			return field_fail(fe, APP_ERR_RATE_LIMITED, "secret",
			                  "too many failed attempts; retry in %d s", retry);
		}
		log_warn("webhook.denied", "%s webhook from %s: %s", kname,
		         req->remote_addr ? req->remote_addr : "-",
		         secret ? "wrong secret or not set up" : "no secret");
		res_header(res, "WWW-Authenticate", "Basic realm=\"revenge webhooks\"");
		return field_fail(fe, APP_ERR_UNAUTHORIZED, "secret",
		                  "is missing or wrong, or the %s integration is not set up",
		                  kname);
	}
	if (req->body_len > WEBHOOK_MAX_BODY)
		return field_fail(fe, APP_ERR_TOO_LARGE, "body", "exceeds %d bytes",
		                  WEBHOOK_MAX_BODY);
	struct json_limits lim = {WEBHOOK_MAX_BODY, 64};
	if (!req->body_len)
		return field_fail(fe, APP_ERR_VALIDATION, "body", "is required (a JSON object)");
	if ((e = json_parse(req->body, req->body_len, &lim, &body, fe)))
		return e;
	map = cJSON_Parse(PQgetvalue(r, 0, 1));
	e = arr_event_read(req->arena, kind, body, map, &ev, fe);
	if (!e && ev.action != ARR_LOG) {
		const char *pl[] = {ev.folder, ev.library_type};
		PGresult *lib;
		if (!(e = db_query(db, req->arena, &q_library_of, pl, &lib))) {
			if (PQntuples(lib) == 1)
				library_id = arena_strdup(req->arena, PQgetvalue(lib, 0, 0));
			else
				e = field_fail(fe, APP_ERR_VALIDATION, ev.folder_field,
				               "is %s here, which is in no enabled %s library",
				               ev.folder, ev.library_type);
		}
	}
	if (e)
		goto out;

	crypto_sha256_hex(req->body, req->body_len, body_hex);
	const char *summary = summary_text(req, &ev, library_id);
	const char *pr[] = {kname, ev.event, body_hex, summary,
	                    ev.action != ARR_LOG ? "true" : "false"};
	if (!summary) {
		e = APP_ERR_NOMEM;
		goto out;
	}
	if ((e = db_begin(db)))
		goto out;
	if ((e = db_query(db, req->arena, &q_receipt, pr, &r)))
		goto fail;
	if (PQntuples(r) != 1) {
		const char *ps[] = {kname, body_hex};
		PGresult *seen;
		db_rollback(db);
		if (!(e = db_query(db, req->arena, &q_receipt_seen, ps, &seen)))
			e = field_fail(fe, APP_ERR_CONFLICT, "body", "was received already (%s)",
			               PQntuples(seen) ? PQgetvalue(seen, 0, 0) : "just now");
		goto out;
	}
	const char *receipt = arena_strdup(req->arena, PQgetvalue(r, 0, 0));
	if (ev.action != ARR_LOG && !ev.forget) {
		const char *ph[] = {library_id, ev.folder,
		                    kname,      id_text(req, ev.tmdb_id),
		                    ev.imdb_id, id_text(req, ev.tvdb_id)};
		if ((e = db_query(db, req->arena, &q_hint, ph, NULL)))
			goto fail;
	}
	if (ev.action == ARR_SYNC) {
		struct job_spec spec = {.kind = "integration.event",
		                        .args = job_args(req, kind, &ev, library_id),
		                        .priority = JOB_HIGH,
		                        .request_id = req->request_id};
		char jid[24];
		if (!spec.args) {
			e = APP_ERR_NOMEM;
			goto fail;
		}
		if ((e = job_enqueue(db, req->arena, &spec, &job_id, NULL)))
			goto fail;
		snprintf(jid, sizeof(jid), "%lld", (long long)job_id);
		const char *pj[] = {receipt, jid};
		if ((e = db_query(db, req->arena, &q_receipt_job, pj, NULL)))
			goto fail;
	}
	if ((e = db_commit(db)))
		goto fail;
	log_info("webhook.received", "%s %s%s%s: %s", kname, ev.event, ev.title ? " " : "",
	         ev.title ? ev.title : "",
	         ev.action == ARR_SYNC   ? "job queued"
	         : ev.action == ARR_HINT ? "ids kept"
	                                 : "logged");
	res->status = 202;
	struct jw w;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "event", ev.event);
	jw_kstr(&w, "action",
	        ev.action == ARR_SYNC   ? "sync"
	        : ev.action == ARR_HINT ? "hint"
	                                : "log");
	if (job_id)
		jw_kint(&w, "job_id", job_id);
	else
		jw_knull(&w, "job_id");
	jw_obj_close(&w);
	goto out;
fail:
	db_rollback(db);
out:
	cJSON_Delete(body);
	cJSON_Delete(map);
	return e;
}

/* --- the *arr's own API ----------------------------------------------------------- */

static const struct db_stmt q_roots_in = {
    "integ_roots_in",
    "SELECT x.i, (SELECT l.id::text FROM libraries l WHERE l.enabled AND l.type = $2 AND EXISTS"
    " (SELECT 1 FROM unnest(l.paths) r WHERE x.p = r OR starts_with(x.p, rtrim(r, '/') || '/')"
    " OR starts_with(r, x.p || '/')) ORDER BY l.created_at LIMIT 1)"
    " FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY x(p, i)",
    2, false};

/* kind's connection and one GET of path; the problem names base_url or
 * api_key when the *arr cannot be asked or refuses */
static enum app_err ask(struct request *req, struct field_error *fe, const char **kind,
                        struct arr_conn *c, const char *path, cJSON **out)
{
	char err[256];
	enum app_err e;

	*out = NULL;
	memset(c, 0, sizeof(*c)); /* wiped by the caller whatever happens */
	if ((e = kind_of(req, fe, kind)))
		return e;
	if ((e = arr_conn_load(req->app->db, req->arena, req->app->cfg->auth_secret_key, *kind, c,
	                       fe)))
		return e;
	e = arr_api_get(c, path, 10000, out, err, sizeof(err));
	if (e == APP_ERR_UNPROCESSABLE || e == APP_ERR_NOT_FOUND)
		return field_fail(fe, APP_ERR_UNPROCESSABLE,
		                  e == APP_ERR_NOT_FOUND ? "base_url" : "api_key", "%s", err);
	if (e == APP_ERR_BAD_REQUEST || e == APP_ERR_UNAVAILABLE)
		return field_fail(fe, APP_ERR_UNAVAILABLE, "base_url", "%s", err);
	return e;
}

static const char *jstr_or(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

enum app_err integrations_status(struct request *req, struct response *res, struct field_error *fe)
{
	const char *kind;
	struct arr_conn c;
	cJSON *st;
	struct jw w;
	enum app_err e = ask(req, fe, &kind, &c, "system/status", &st);

	arr_conn_wipe(&c);
	if (e)
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "kind", kind);
	jw_kbool(&w, "reachable", true);
	static const char *const keys[] = {"appName", "instanceName", "version",
	                                   "osName",  "branch",       "startTime"};
	static const char *const names[] = {"app_name", "instance_name", "version",
	                                    "os_name",  "branch",        "start_time"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = jstr_or(st, keys[i]);
		if (v)
			jw_kstr(&w, names[i], v);
		else
			jw_knull(&w, names[i]);
	}
	jw_obj_close(&w);
	cJSON_Delete(st);
	return APP_OK;
}

enum app_err integrations_quality_profiles(struct request *req, struct response *res,
                                           struct field_error *fe)
{
	const char *kind;
	struct arr_conn c;
	cJSON *list;
	const cJSON *it;
	struct jw w;
	enum app_err e = ask(req, fe, &kind, &c, "qualityprofile", &list);

	arr_conn_wipe(&c);
	if (e)
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		const cJSON *up = cJSON_GetObjectItemCaseSensitive(it, "upgradeAllowed");
		if (!cJSON_IsNumber(id) || !jstr_or(it, "name"))
			continue;
		jw_obj_open(&w);
		jw_kint(&w, "id", (int64_t)id->valuedouble);
		jw_kstr(&w, "name", jstr_or(it, "name"));
		jw_kbool(&w, "upgrade_allowed", cJSON_IsTrue(up));
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	cJSON_Delete(list);
	return APP_OK;
}

enum app_err integrations_root_folders(struct request *req, struct response *res,
                                       struct field_error *fe)
{
	const char *kind;
	struct arr_conn c;
	cJSON *list;
	const cJSON *it;
	struct jw w;
	struct buf arr;
	enum app_err e = ask(req, fe, &kind, &c, "rootfolder", &list);
	int n = 0;

	if (e) {
		arr_conn_wipe(&c);
		return e;
	}
	/* where each folder is here, and which library holds it */
	struct jw aw;
	buf_init(&arr, 1024 * 1024);
	jw_init(&aw, &arr);
	jw_arr_open(&aw);
	const char **local =
	    arena_calloc(req->arena, (size_t)cJSON_GetArraySize(list) + 1, sizeof(*local));
	cJSON_ArrayForEach(it, list)
	{
		const char *p = jstr_or(it, "path");
		const char *l = p && local ? arr_map_path(req->arena, c.path_map, p) : NULL;
		if (local)
			local[n] = l;
		jw_str(&aw, l ? l : "");
		n++;
	}
	jw_arr_close(&aw);
	arr_conn_wipe(&c);
	PGresult *r = NULL;
	const char *pr[] = {arr.data, arr_kind_parse(kind) == ARR_SONARR ? "tvshow" : "movie"};
	if (!local || !buf_ok(&arr))
		e = APP_ERR_NOMEM;
	else
		e = db_query(req->app->db, req->arena, &q_roots_in, pr, &r);
	buf_release(&arr);
	if (e) {
		cJSON_Delete(list);
		return e;
	}
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_key(&w, "items");
	jw_arr_open(&w);
	int i = 0;
	cJSON_ArrayForEach(it, list)
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(it, "id");
		const cJSON *free_space = cJSON_GetObjectItemCaseSensitive(it, "freeSpace");
		jw_obj_open(&w);
		if (cJSON_IsNumber(id))
			jw_kint(&w, "id", (int64_t)id->valuedouble);
		jw_kstr(&w, "path", jstr_or(it, "path") ? jstr_or(it, "path") : "");
		if (local[i])
			jw_kstr(&w, "local_path", local[i]);
		else
			jw_knull(&w, "local_path");
		jw_kbool(&w, "accessible",
		         cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "accessible")));
		if (cJSON_IsNumber(free_space))
			jw_kint(&w, "free_space", (int64_t)free_space->valuedouble);
		else
			jw_knull(&w, "free_space");
		if (i < PQntuples(r) && local[i] && !PQgetisnull(r, i, 1))
			jw_kstr(&w, "library_id", PQgetvalue(r, i, 1));
		else
			jw_knull(&w, "library_id");
		jw_obj_close(&w);
		i++;
	}
	jw_arr_close(&w);
	jw_obj_close(&w);
	cJSON_Delete(list);
	return APP_OK;
}

const struct body_field integrations_sync_body[] = {
    {.name = "item_id",
     .type = BT_INT,
     .null = BN_REFUSE,
     .min = 1,
     .max = 2147483647,
     .doc = "One Radarr movie / Sonarr series id; absent: every item."},
    {0},
};

enum app_err integrations_sync(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *kind;
	int64_t item = 0, job_id;
	bool dup = false;
	struct arr_conn c;
	struct jw w;
	enum app_err e;

	if ((e = kind_of(req, fe, &kind)))
		return e;
	/* refused now rather than failing in the worker */
	e = arr_conn_load(db, req->arena, req->app->cfg->auth_secret_key, kind, &c, fe);
	arr_conn_wipe(&c);
	if (e)
		return e;
	req_body_int(req, "item_id", &item);
	struct job_spec spec = {
	    .kind = "integration.sync",
	    .args = item ? arena_printf(req->arena, "{\"kind\":\"%s\",\"item_id\":%lld}", kind,
	                                (long long)item)
	                 : arena_printf(req->arena, "{\"kind\":\"%s\"}", kind),
	    .priority = JOB_HIGH,
	    .unique_key = item ? NULL : arena_printf(req->arena, "integration.sync:%s", kind),
	    .request_id = req->request_id};
	if (!spec.args)
		return APP_ERR_NOMEM;
	if ((e = db_begin(db)))
		return e;
	const char *values = arena_printf(req->arena, "{\"item_id\":%lld}", (long long)item);
	struct audit_entry a = {NULL,  "integration.sync", "integration", kind, true, NULL, NULL,
	                        values};
	if ((e = job_enqueue(db, req->arena, &spec, &job_id, &dup)) || (e = audit_write(req, &a)) ||
	    (e = db_commit(db))) {
		db_rollback(db);
		return e;
	}
	res->status = 202;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kint(&w, "job_id", job_id);
	jw_kbool(&w, "already_queued", dup);
	jw_obj_close(&w);
	return APP_OK;
}

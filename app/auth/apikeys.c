#include "auth/apikeys.h"

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

/* clang-format off */
#define KEY_COLUMNS                                                                                \
	"k.id, k.name, k.prefix, array_to_json(k.scopes)::text, "                                  \
	SQL_TS("k.expires_at") ", " SQL_TS("k.last_used_at") ", " SQL_TS("k.created_at") ", "      \
	SQL_TS_US("k.created_at")
/* clang-format on */
#define KEY_SORT_COL 7

#define KEY_LIVE " k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())"

#define NAME_MAX_CHARS 100

static const struct db_stmt q_list = {
    "apikeys_list",
    "SELECT " KEY_COLUMNS " FROM api_keys k WHERE k.user_id = $1 AND" KEY_LIVE
    " AND ($2::timestamptz IS NULL OR (k.created_at, k.id) < ($2::timestamptz, $3::uuid))"
    " ORDER BY k.created_at DESC, k.id DESC LIMIT $4::bigint OFFSET $5::bigint",
    5, true};
static const struct db_stmt q_count = {
    "apikeys_count", "SELECT count(*) FROM api_keys k WHERE k.user_id = $1 AND" KEY_LIVE, 1, true};
static const struct db_stmt q_get = {"apikeys_get",
                                     "SELECT " KEY_COLUMNS
                                     " FROM api_keys k WHERE k.id = $1 AND k.user_id = $2"
                                     " AND k.revoked_at IS NULL",
                                     2, true};
/* serialises key creation per account, so the limit holds under races */
static const struct db_stmt q_lock_owner = {
    "apikeys_lock_owner", "SELECT 1 FROM users WHERE id = $1 FOR UPDATE", 1, false};
static const struct db_stmt q_in_future = {"apikeys_in_future", "SELECT $1::timestamptz > now()", 1,
                                           true};
static const struct db_stmt q_insert = {
    "apikeys_insert",
    "INSERT INTO api_keys AS k (user_id, name, prefix, key_hash, scopes, expires_at)"
    " VALUES ($1, $2, $3, decode($4, 'hex'), $5::text[],"
    " CASE WHEN $6::timestamptz IS NOT NULL THEN $6::timestamptz"
    " WHEN $7::integer IS NOT NULL THEN now() + $7::integer * interval '1 day' END)"
    " RETURNING " KEY_COLUMNS,
    7, false};
static const struct db_stmt q_revoke = {
    "apikeys_revoke",
    "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2"
    " AND revoked_at IS NULL RETURNING json_build_object('name', name, 'prefix', prefix)::text",
    2, false};

const struct param_spec apikeys_list_query[] = {
    PAGE_PARAMS,
    {0},
};

/* The metadata members of row (KEY_COLUMNS), without the braces. */
static void key_members(struct jw *w, const PGresult *r, int row)
{
	jw_kstr(w, "id", PQgetvalue(r, row, 0));
	jw_kstr(w, "name", PQgetvalue(r, row, 1));
	jw_kstr(w, "prefix", PQgetvalue(r, row, 2));
	jw_key(w, "scopes");
	jw_raw(w, PQgetvalue(r, row, 3), (size_t)PQgetlength(r, row, 3));
	db_json_str(w, "expires_at", r, row, 4);
	db_json_str(w, "last_used_at", r, row, 5);
	jw_kstr(w, "created_at", PQgetvalue(r, row, 6));
}

static void key_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	jw_obj_open(w);
	key_members(w, r, row);
	jw_obj_close(w);
}

enum app_err apikeys_list(struct request *req, struct response *res, struct field_error *fe)
{
	static const struct page_list l = {.list = &q_list, .count = &q_count, .item = key_item,
	                                   .key_col = KEY_SORT_COL, .id_col = 0};
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	const char *params[] = {req->who->user_id, NULL, NULL, NULL, NULL};
	return page_run(req, res, &p, &l, params, 1, fe);
}

/* --- creation ------------------------------------------------------------ */

static const char *const scope_names[] = {"read", "write", "admin", NULL};
static const unsigned scope_bits[] = {SCOPE_READ, SCOPE_WRITE, SCOPE_ADMIN};

/* The scopes of a checked body as a bit set and a PostgreSQL array literal
 * in canonical order (the names are fixed words: no quoting needed). */
static unsigned scopes_of(const struct request *req, char lit[32])
{
	const cJSON *it;
	unsigned bits = 0;

	cJSON_ArrayForEach(it, req_body(req, "scopes"))
		for (int k = 0; scope_names[k]; k++)
			if (!strcmp(scope_names[k], it->valuestring))
				bits |= scope_bits[k];
	snprintf(lit, 32, "{%s%s%s%s%s}", bits & SCOPE_READ ? "read" : "",
	         (bits & SCOPE_READ) && (bits & (SCOPE_WRITE | SCOPE_ADMIN)) ? "," : "",
	         bits & SCOPE_WRITE ? "write" : "",
	         (bits & SCOPE_WRITE) && (bits & SCOPE_ADMIN) ? "," : "",
	         bits & SCOPE_ADMIN ? "admin" : "");
	return bits;
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Two decimal digits already checked by digits(). */
static int two(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM). Field
 * ranges are checked here; PostgreSQL rejects what remains (February 30). */
static bool rfc3339(const char *s)
{
	size_t n = strlen(s);
	const char *z;

	if (n < 20 || n > 40 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return false;
	int mon = two(s + 5), day = two(s + 8), hour = two(s + 11), min = two(s + 14),
	    sec = two(s + 17);
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
		return false;
	z = s + 19;
	if (*z == '.') {
		int k = 0;
		while (z[1 + k] >= '0' && z[1 + k] <= '9')
			k++;
		if (k == 0 || k > 9)
			return false;
		z += 1 + k;
	}
	if ((z[0] == 'Z' || z[0] == 'z') && !z[1])
		return true;
	return (z[0] == '+' || z[0] == '-') && digits(z + 1, 2) && z[3] == ':' &&
	       digits(z + 4, 2) && !z[6] && two(z + 1) <= 23 && two(z + 4) <= 59;
}

static enum app_err check_rfc3339(const char *s, const char *field, struct field_error *fe)
{
	if (!rfc3339(s))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must be an RFC 3339 timestamp such as 2030-01-31T12:00:00Z");
	return APP_OK;
}

static const struct body_field scope_item = {.type = BT_ENUM, .choices = scope_names};

const struct body_field apikeys_create_body[] = {
    {.name = "name", .type = BT_STRING, .required = true, .min = 1, .max = NAME_MAX_CHARS,
     .chars = true, .text = true},
    {.name = "scopes", .type = BT_ARRAY, .required = true, .min = 1, .max = 3, .unique = true,
     .items = &scope_item},
    {.name = "expires_at", .type = BT_STRING, .min = 1, .max = 64, .check = check_rfc3339},
    {.name = "expires_in_days", .type = BT_INT, .min = 1, .max = 3650},
    {0},
};

/* The expiry of a checked body: the two members exclude each other, and a
 * time must lie in the future. */
static enum app_err parse_expiry(struct request *req, const char **at, char days_buf[24],
                                 const char **days, struct field_error *fe)
{
	int64_t d;
	PGresult *r;
	enum app_err e;

	*at = req_body_str(req, "expires_at");
	*days = NULL;
	if (req_body_int(req, "expires_in_days", &d)) {
		if (*at)
			return field_fail(fe, APP_ERR_VALIDATION, "expires_in_days",
			                  "cannot be combined with expires_at");
		snprintf(days_buf, 24, "%lld", (long long)d);
		*days = days_buf;
	}
	if (!*at)
		return APP_OK;
	const char *params[] = {*at};
	e = db_query(req->app->db, req->arena, &q_in_future, params, &r);
	if (e == APP_ERR_VALIDATION)
		return field_fail(fe, e, "expires_at", "is not a valid date and time");
	if (e)
		return e;
	if (PQgetvalue(r, 0, 0)[0] != 't')
		return field_fail(fe, APP_ERR_VALIDATION, "expires_at", "must be in the future");
	return APP_OK;
}

static const struct db_stmt q_live = {
    "apikeys_live", "SELECT count(*) FROM api_keys k WHERE k.user_id = $1 AND" KEY_LIVE, 1, false};

/* Insert the key and its audit row; *out receives the new row. */
static enum app_err store_key(struct request *req, const char *const *params, PGresult **out,
                              struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *owner[] = {params[0]};
	struct buf audit;
	struct jw w;
	int64_t live;
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_lock_owner, owner, NULL)) ||
	    (e = db_query(db, req->arena, &q_live, owner, &r)) || (e = db_get_int64(r, 0, 0, &live)))
		goto rollback;
	if (live >= APIKEYS_MAX) {
		e = field_fail(fe, APP_ERR_CONFLICT, "",
		               "an account may have at most %d live API keys; revoke one first",
		               APIKEYS_MAX);
		goto rollback;
	}
	if ((e = db_query(db, req->arena, &q_insert, params, out)))
		goto rollback;
	/* the audit row describes the key, never the secret */
	buf_init(&audit, 4096);
	jw_init(&w, &audit);
	jw_obj_open(&w);
	jw_kstr(&w, "name", PQgetvalue(*out, 0, 1));
	jw_kstr(&w, "prefix", PQgetvalue(*out, 0, 2));
	jw_key(&w, "scopes");
	jw_raw(&w, PQgetvalue(*out, 0, 3), (size_t)PQgetlength(*out, 0, 3));
	db_json_str(&w, "expires_at", *out, 0, 4);
	jw_obj_close(&w);
	struct audit_entry a = {
	    NULL, "apikey.create", "api_key", PQgetvalue(*out, 0, 0), true, NULL, NULL, audit.data};
	e = buf_ok(&audit) ? audit_write(req, &a) : APP_ERR_NOMEM;
	buf_release(&audit);
	if (e)
		goto rollback;
	return db_commit(db);
rollback:
	db_rollback(db);
	return e;
}

enum app_err apikeys_create(struct request *req, struct response *res, struct field_error *fe)
{
	const struct principal *who = req->who;
	const char *name = req_body_str(req, "name"), *at, *days;
	char scopes[32], days_buf[24], key[3 + 64 + 1], hash_hex[65];
	unsigned char raw[32], h[32];
	PGresult *r;
	struct jw w;
	enum app_err e;

	unsigned bits = scopes_of(req, scopes);

	if ((e = parse_expiry(req, &at, days_buf, &days, fe)))
		return e;
	if ((bits & SCOPE_ADMIN) && !who->admin)
		return field_fail(fe, APP_ERR_FORBIDDEN, "scopes",
		                  "may hold admin only for holders of the admin:* permission");
	/* a key cannot mint a key stronger than itself (sessions hold every scope) */
	if (bits & ~who->scopes)
		return field_fail(fe, APP_ERR_FORBIDDEN, "scopes",
		                  "may not exceed the scopes of the API key making the request");

	if (crypto_random(raw, sizeof(raw)) < 0)
		return APP_ERR_INTERNAL;
	memcpy(key, "rv_", 3);
	hex_encode(raw, sizeof(raw), key + 3);
	crypto_sha256(key, strlen(key), h);
	hex_encode(h, sizeof(h), hash_hex);
	char prefix[9];
	memcpy(prefix, key + 3, 8);
	prefix[8] = '\0';
	const char *params[] = {who->user_id, name, prefix, hash_hex, scopes, at, days};
	e = store_key(req, params, &r, fe);
	if (!e) {
		res->status = 201;
		jw_init(&w, &res->body);
		jw_obj_open(&w);
		jw_kstr(&w, "key", key);
		key_members(&w, r, 0);
		jw_obj_close(&w);
	}
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(key, sizeof(key));
	return e;
}

/* --- one key ------------------------------------------------------------- */

enum app_err apikeys_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *params[] = {req_path(req, "id")->str, req->who->user_id};
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, &q_get, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "", "no such API key");
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	key_members(&w, r, 0);
	jw_obj_close(&w);
	return APP_OK;
}

enum app_err apikeys_revoke(struct request *req, struct response *res, struct field_error *fe)
{
	struct db *db = req->app->db;
	const char *id = req_path(req, "id")->str;
	const char *params[] = {id, req->who->user_id};
	PGresult *r;
	enum app_err e;

	if ((e = db_begin(db)))
		return e;
	if ((e = db_query(db, req->arena, &q_revoke, params, &r)))
		goto rollback;
	if (PQntuples(r) != 1) {
		e = field_fail(fe, APP_ERR_NOT_FOUND, "", "no such API key");
		goto rollback;
	}
	struct audit_entry a = {NULL, "apikey.revoke",     "api_key", id, true,
	                        NULL, PQgetvalue(r, 0, 0), NULL};
	if ((e = audit_write(req, &a)))
		goto rollback;
	if ((e = db_commit(db)))
		return e;
	res->status = 204;
	return APP_OK;
rollback:
	db_rollback(db);
	return e;
}

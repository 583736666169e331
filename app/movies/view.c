#include "movies/view.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth/auth.h"
#include "cache/cache.h"
#include "core/crypto.h"
#include "movies/headers.h"

static bool iso639_1(const char *s)
{
	return strlen(s) == 2 && islower((unsigned char)s[0]) && islower((unsigned char)s[1]) &&
	       isascii((unsigned char)s[0]) && isascii((unsigned char)s[1]);
}

enum app_err mv_viewer(struct request *req, const char **params, struct field_error *fe)
{
	const struct param_value *lang = req_query(req, "language");
	char pick[3];

	if (lang && !iso639_1(lang->str))
		return field_fail(fe, APP_ERR_VALIDATION, "language",
		                  "must be an ISO 639-1 code: two lower-case letters");
	mv_accept_language(req_header(req, "Accept-Language"), req->app->cfg->metadata_languages,
	                   pick);
	params[0] = req->who->user_id;
	params[1] = library_sees_all_param(req);
	params[2] = lang ? lang->str : NULL;
	params[3] = pick[0] ? arena_strdup(req->arena, pick) : NULL;
	return pick[0] && !params[3] ? APP_ERR_NOMEM : APP_OK;
}

const char *mv_path_id(struct request *req)
{
	return req_path(req, "id")->str;
}

/* Append JSON text without the whitespace between tokens that
 * PostgreSQL's json output puts there ("a" : 1, "b" : 2), so the API
 * answers compact JSON like everything else. */
static void raw_compact(struct buf *b, const char *s, size_t n)
{
	bool in_str = false;
	size_t from = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			buf_append(b, s + from, i - from);
			from = i + 1;
		}
	}
	buf_append(b, s + from, n - from);
}

void mv_raw(struct jw *w, const char *json, size_t n)
{
	jw_raw(w, "", 0); /* the separator */
	raw_compact(w->b, json, n);
}

enum app_err mv_page(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, const char **params, const char *key_prefix,
                     struct field_error *fe)
{
	struct page p;
	struct page_rows rows;
	struct jw w;
	size_t plen = strlen(key_prefix);
	int n = list->nparams;
	enum app_err e;

	struct mv_cache cache;

	if ((e = page_parse(req, &p, fe)))
		return e;
	if (mv_cache_hit(req, res, &cache))
		return APP_OK;
	params[n - 4] = params[n - 3] = NULL;
	if (p.after) {
		/* the key is prefix + value; the id a uuid (or a number) */
		if (strncmp(p.key, key_prefix, plen))
			return field_fail(fe, APP_ERR_VALIDATION, "cursor",
			                  "was issued for another order of this list");
		params[n - 4] = p.key + plen;
		params[n - 3] = p.id;
	}
	if ((e = page_fetch(req, &p, list, count, params, &rows)))
		return e == APP_ERR_VALIDATION
		           ? field_fail(fe, e, "cursor", "is not a cursor this list issued")
		           : e;
	page_begin(&w, &res->body);
	for (int i = 0; i < rows.n; i++)
		mv_raw(&w, PQgetvalue(rows.rows, i, 0), (size_t)PQgetlength(rows.rows, i, 0));
	const char *key = NULL, *id = NULL;
	if (rows.n) {
		key = arena_printf(req->arena, "%s%s", key_prefix,
		                   PQgetvalue(rows.rows, rows.n - 1, 1));
		id = PQgetvalue(rows.rows, rows.n - 1, 2);
		if (!key)
			return APP_ERR_NOMEM;
	}
	page_finish(req, &w, &p, &rows, key, id);
	mv_cache_fill(req, res, &cache);
	return APP_OK;
}

enum app_err mv_list(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, struct field_error *fe)
{
	const char *p[MV_NPARAMS + 4];
	enum app_err e;

	if ((e = mv_viewer(req, p, fe)))
		return e;
	return mv_page(req, res, list, count, p, "", fe);
}

void mv_body_json(struct response *res, const PGresult *r)
{
	raw_compact(&res->body, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}

/* Does an If-None-Match list name etag (weak comparison, RFC 9110 §13.1.2)? */
static bool none_match(const char *inm, const char *etag)
{
	const char *opaque = etag + 2; /* past W/ */
	size_t n = strlen(opaque);

	for (const char *p = inm; p && *p;) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		if (!strncmp(p, "W/", 2))
			p += 2;
		if (!strncmp(p, opaque, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		p += strcspn(p, ",");
	}
	return false;
}

void mv_validators(struct request *req, struct response *res)
{
	unsigned char h[32];
	char hex[33], etag[40];

	if (res->body.failed || (res->status && res->status != 200))
		return;
	crypto_sha256(res->body.data, res->body.len, h);
	hex_encode(h, 16, hex);
	hex[32] = '\0';
	snprintf(etag, sizeof(etag), "W/\"%.32s\"", hex);
	res_header(res, "ETag", etag);
	/* per user (access, age, language, watch state): never shared caches,
	 * and always revalidated since a scan may change it any time */
	res_header(res, "Cache-Control", "private, no-cache");
	res_header(res, "Vary", "Accept-Language, Authorization, Cookie");
	const char *inm = req_header(req, "If-None-Match");
	if (inm && none_match(inm, etag)) {
		res->status = 304;
		res->body.len = 0;
		if (res->body.cap)
			res->body.data[0] = '\0';
	}
}

/* --- the response cache ------------------------------------------------------ */

static const struct db_stmt q_generation = {
	"movies_generation",
	"SELECT (SELECT last_value FROM catalog_generation)::text || '|' || coalesce((SELECT"
	" max(updated_at) FROM movie_watch WHERE user_id = $1::uuid)::text, '') || '|' ||"
	" coalesce((SELECT updated_at FROM user_preferences WHERE user_id = $1::uuid)::text, '')",
	1, true};

bool mv_cache_hit(struct request *req, struct response *res, struct mv_cache *c)
{
	const char *uid = req->who->user_id, *gen, *lang = req_header(req, "Accept-Language");
	unsigned char h[32];
	char hex[65], pick[3];
	struct buf b;
	PGresult *r;
	redisReply *rep;

	c->key = NULL;
	if (req->app->cfg->movies_cache_ttl <= 0 || !req->app->cache || !cache_up(req->app->cache))
		return false;
	const char *p[] = {uid};
	if (db_query(req->app->db, req->arena, &q_generation, p, &r) || PQntuples(r) != 1)
		return false;
	gen = PQgetvalue(r, 0, 0);
	mv_accept_language(lang, req->app->cfg->metadata_languages, pick);
	buf_init(&b, 16384);
	buf_printf(&b, "%s\n%s\n%s\n%s\n%s\n%s", req->route ? req->route->name : "-",
	           req_path(req, "id") ? req_path(req, "id")->str : "", req->query, pick, uid, gen);
	buf_printf(&b, "\n%s", library_sees_all_param(req));
	crypto_sha256(b.data, b.len, h);
	bool ok = buf_ok(&b);
	buf_release(&b);
	if (!ok)
		return false;
	hex_encode(h, 32, hex);
	c->key = cache_key(req->app->cache, req->arena, arena_printf(req->arena, "mvr:%s", hex));
	if (!c->key)
		return false;
	const char *argv[] = {"GET", c->key};
	if (cache_cmd(req->app->cache, req->arena, &rep, 2, argv, NULL) ||
	    rep->type != REDIS_REPLY_STRING)
		return false;
	buf_append(&res->body, rep->str, rep->len);
	mv_validators(req, res);
	return true;
}

void mv_cache_fill(struct request *req, struct response *res, const struct mv_cache *c)
{
	if (c->key && res->status == 200 && !res->body.failed && res->body.len) {
		char ttl[24];
		snprintf(ttl, sizeof(ttl), "%lld", (long long)req->app->cfg->movies_cache_ttl);
		const char *argv[] = {"SET", c->key, res->body.data, "PX", ttl};
		const size_t len[] = {3, strlen(c->key), res->body.len, 2, strlen(ttl)};
		cache_cmd(req->app->cache, NULL, NULL, 5, argv, len);
	}
	mv_validators(req, res);
}

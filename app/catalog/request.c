#include "catalog/request.h"

#include <stdio.h>
#include <string.h>

#include "app.h"
#include "auth/audit.h"
#include "catalog/terms.h"
#include "core/crypto.h"
#include "jobs/jobs.h"
#include "auth/auth.h"
#include "http/lang.h"
#include "http/page.h"
#include "http/validators.h"
#include "library/libraries.h"

enum app_err catalog_viewer(struct request *req, const char **p, struct field_error *fe)
{
	struct http_lang l;
	struct viewer v;
	enum app_err e;

	if ((e = http_language(req, req->app->cfg->metadata_languages, &l, fe)))
		return e;
	v.user_id = req->who->user_id;
	v.sees_all = library_sees_all(req);
	v.lang = l.param;
	v.pick = l.pick;
	catalog_viewer_params(&v, p);
	return APP_OK;
}

bool catalog_cache_hit(struct request *req, struct response *res, const char *const *p,
		       struct rcache *c)
{
	int64_t ttl = req->app->cfg->movies_cache_ttl;
	const char *gen = NULL, *vary = NULL;

	if (ttl > 0 && req->app->cache && cache_up(req->app->cache) &&
	    (gen = catalog_generation(req->app->db, req->arena, p[0])))
		vary = arena_printf(req->arena, "%s\n%s\n%s\n%s", p[0], p[3] ? p[3] : "", p[1], gen);
	return rcache_hit(req, res, ttl, vary, c);
}

enum app_err catalog_cached_page(struct request *req, struct response *res, const struct page *p,
				 const struct db_stmt *list, const struct db_stmt *count,
				 const char **params, int nparams, const char *key_prefix,
				 struct field_error *fe)
{
	struct rcache c;
	enum app_err e;

	const struct page_list l = {.list = list, .count = count, .key_prefix = key_prefix};

	if (catalog_cache_hit(req, res, params, &c))
		return APP_OK;
	if ((e = page_run(req, res, p, &l, params, nparams, fe)))
		return e;
	rcache_fill(req, res, &c);
	return APP_OK;
}

enum app_err catalog_page(struct request *req, struct response *res, struct catalog_shape s,
			  const char **params, const char *key_prefix, struct field_error *fe)
{
	struct page p;
	enum app_err e;

	if ((e = page_start(req, key_prefix, &p, fe)))
		return e;
	s.after = p.after;
	s.offset = p.offset_mode;
	if (p.offset_mode) {
		/* a few statements per shape, whatever the offset */
		int64_t want = p.offset + p.limit;
		for (s.rows = 64; s.rows < want; s.rows *= 2)
			;
	} else {
		/* the walk's cap, rounded up like the offset's: the page is
		 * taken by the limit parameter, so clients asking for any of
		 * a hundred page sizes share eight statements a shape */
		for (s.rows = 2; s.rows < p.limit + 1; s.rows *= 2)
			;
	}
	const struct db_stmt *list = catalog_list_stmt_in(&s, false, req->arena);
	const struct db_stmt *count = p.offset_mode ? catalog_list_stmt_in(&s, true, req->arena) : NULL;
	if (!list || (p.offset_mode && !count))
		return APP_ERR_NOMEM;
	return catalog_cached_page(req, res, &p, list, count, params, catalog_shape_nparams(&s),
				   key_prefix, fe);
}

enum app_err catalog_fixed_page(struct request *req, struct response *res,
				const struct db_stmt *list, const struct db_stmt *count,
				const char **params, const char *key_prefix, struct field_error *fe)
{
	struct page p;
	enum app_err e;

	if ((e = page_start(req, key_prefix, &p, fe)))
		return e;
	return catalog_cached_page(req, res, &p, list, count, params, list->nparams - 4, key_prefix,
				   fe);
}

enum app_err catalog_viewer_page(struct request *req, struct response *res,
				 const struct db_stmt *list, const struct db_stmt *count,
				 struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 4];
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	return catalog_fixed_page(req, res, list, count, p, "", fe);
}

void catalog_body_json(struct response *res, const PGresult *r)
{
	http_json_compact(&res->body, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}

const char *catalog_path_id(struct request *req)
{
	return req_path(req, "id")->str;
}

enum app_err catalog_by_path_id(struct request *req, const char **p, const struct db_stmt *st,
				const char *missing, PGresult **r, struct field_error *fe)
{
	enum app_err e;

	p[CAT_NPARAMS] = catalog_path_id(req);
	if ((e = db_query(req->app->db, req->arena, st, p, r)))
		return e;
	return PQntuples(*r) == 1 ? APP_OK : field_fail(fe, APP_ERR_NOT_FOUND, "id", "%s", missing);
}

enum app_err catalog_one_by_id(struct request *req, struct response *res,
			       const struct db_stmt *st, const char *missing,
			       struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 1];
	struct rcache cache;
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	if (catalog_cache_hit(req, res, p, &cache))
		return APP_OK;
	if ((e = catalog_by_path_id(req, p, st, missing, &r, fe)))
		return e;
	catalog_body_json(res, r);
	rcache_fill(req, res, &cache);
	return APP_OK;
}

enum app_err catalog_relation(struct request *req, struct response *res,
			      const struct db_stmt *visible, const char *missing,
			      const struct db_stmt *list, const struct db_stmt *count,
			      struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 5];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)) ||
	    (e = catalog_by_path_id(req, p, visible, missing, &r, fe)))
		return e;
	return catalog_fixed_page(req, res, list, count, p, "", fe);
}

enum app_err catalog_search_start(struct request *req, const char *q, struct page *pg,
				  bool *common, const char **prefix, struct field_error *fe)
{
	unsigned char h[32];
	char hex[17], first[24];
	enum app_err e;

	crypto_sha256(q, strlen(q), h);
	hex_encode(h, 8, hex);
	snprintf(first, sizeof(first), "%.16s|", hex);
	if ((e = page_start(req, first, pg, fe)))
		return e;
	if (pg->after) {
		if ((pg->key[0] != 's' && pg->key[0] != 'c') || pg->key[1] != '|')
			return field_fail(fe, APP_ERR_VALIDATION, "cursor",
					  "is not a cursor this list issued");
		*common = pg->key[0] == 'c';
		pg->key += 2;
	} else {
		*common = catalog_common_search(req->app->db, req->arena, q);
	}
	*prefix = arena_printf(req->arena, "%.16s|%c|", hex, *common ? 'c' : 's');
	return *prefix ? APP_OK : APP_ERR_NOMEM;
}

enum app_err catalog_refresh(struct request *req, struct response *res, const char *kind,
			     const char *id, const char *library_id, struct field_error *fe)
{
	struct db *db = req->app->db;
	int64_t job_id = 0;
	bool dup = false;
	struct jw w;
	enum app_err e;

	/* changing a library's items is managing it */
	if ((e = library_access_fe(req, library_id, "manage", "id", fe)))
		return e;
	const char *args = arena_printf(req->arena, "{\"%s_id\":\"%s\"}", kind, id);
	const char *action = arena_printf(req->arena, "%s.refresh", kind);
	struct job_spec spec = {
	    .kind = "metadata.refresh",
	    .args = args,
	    .priority = JOB_HIGH,
	    .unique_key = arena_printf(req->arena, "metadata.refresh:%s:%s", kind, id),
	    .request_id = req->request_id,
	};
	if (!args || !action || !spec.unique_key)
		return APP_ERR_NOMEM;
	struct audit_entry a = {NULL, action, kind, id, true, NULL, NULL, args};
	if ((e = db_begin(db)))
		return e;
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

const char *const catalog_orders[] = {"asc", "desc", NULL};

enum app_err catalog_sorted_page(struct request *req, struct response *res,
				 const struct catalog_kind *k, const char *const *names,
				 const char **p, struct field_error *fe)
{
	const struct param_value *sort = req_query(req, "sort"), *order = req_query(req, "order");
	struct catalog_shape s = {.kind = k};

	s.sort = sort ? catalog_sort_index(k, names[sort->num]) : k->default_sort;
	if (s.sort < 0)
		return APP_ERR_INTERNAL;
	s.desc = order ? order->num == 1 : k->sorts[s.sort].desc_default;
	/* only the filters present go into the statement, in the kind's order */
	int n = CAT_NPARAMS;
	for (int i = 0; i < k->nfilters; i++)
		if (p[CAT_NPARAMS + i]) {
			s.filters |= 1u << i;
			p[n++] = p[CAT_NPARAMS + i];
		}
	const char *prefix = arena_printf(req->arena, "%s|%s|", k->sorts[s.sort].name,
					  catalog_orders[s.desc]);
	if (!prefix)
		return APP_ERR_NOMEM;
	return catalog_page(req, res, s, p, prefix, fe);
}

enum app_err catalog_viewer_json(struct request *req, struct response *res,
				 const struct db_stmt *st, struct field_error *fe)
{
	const char *p[CAT_NPARAMS];
	struct rcache cache;
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	if (catalog_cache_hit(req, res, p, &cache))
		return APP_OK;
	if ((e = db_query(req->app->db, req->arena, st, p, &r)))
		return e;
	catalog_body_json(res, r);
	rcache_fill(req, res, &cache);
	return APP_OK;
}

const char *catalog_query_str(struct request *req, const char *name)
{
	const struct param_value *pv = req_query(req, name);
	return pv ? pv->str : NULL;
}

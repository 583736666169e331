#include "catalog/request.h"

#include "app.h"
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

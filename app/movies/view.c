#include "movies/view.h"

#include "app.h"
#include "catalog/request.h"

enum app_err mv_viewer(struct request *req, const char **params, struct field_error *fe)
{
	return catalog_viewer(req, params, fe);
}

const char *mv_path_id(struct request *req)
{
	return req_path(req, "id")->str;
}

enum app_err mv_page(struct request *req, struct response *res, const struct db_stmt *list,
                     const struct db_stmt *count, const char **params, const char *key_prefix,
                     struct field_error *fe)
{
	struct page p;
	enum app_err e;

	if ((e = page_start(req, key_prefix, &p, fe)))
		return e;
	return catalog_cached_page(req, res, &p, list, count, params, list->nparams - 4, key_prefix,
	                           fe);
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
	http_json_compact(&res->body, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
}

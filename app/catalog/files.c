#include "catalog/files.h"

#include <string.h>

#include "app.h"
#include "catalog/catalog.h"
#include "catalog/request.h"
#include "core/json.h"
#include "core/log.h"
#include "http/accel.h"
#include "library/roots.h"

/* A file outside library.allowed_roots (library/roots.h) answers as if it
 * were gone, like one outside its library's roots. */
static enum app_err refused(struct field_error *fe, const char *field)
{
	log_warn("stream.not_allowed", "a file lies outside library.allowed_roots");
	return field_fail(fe, APP_ERR_NOT_FOUND, field, "is not on disk any more");
}

enum app_err catalog_send_file(struct request *req, struct response *res, const char *path,
			       const char *roots, const char *field, struct field_error *fe)
{
	if (!library_file_permitted(req->app->cfg, path))
		return refused(fe, field);
	return accel_send_file(req, res, path, roots, field, fe);
}

enum app_err catalog_send_subtitle(struct request *req, struct response *res, const char *video,
				   const char *roots, const char *sidecars, struct field_error *fe)
{
	int64_t index = req_path(req, "index")->num;
	cJSON *side = cJSON_Parse(sidecars);
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(side, "subtitles");
	const cJSON *it = cJSON_IsArray(subs) && index < cJSON_GetArraySize(subs)
				  ? cJSON_GetArrayItem(subs, (int)index)
				  : NULL;
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(it, "file");
	const char *path = NULL, *slash = strrchr(video, '/');
	/* a sidecar is a plain name in the video's directory */
	if (cJSON_IsString(file) && !strchr(file->valuestring, '/') && file->valuestring[0] != '.' &&
	    slash)
		path = arena_printf(req->arena, "%.*s/%s", (int)(slash - video), video,
				    file->valuestring);
	cJSON_Delete(side);
	if (!path)
		return field_fail(fe, APP_ERR_NOT_FOUND, "index", "is not a subtitle of this file");
	return catalog_send_file(req, res, path, roots, "index", fe);
}

enum app_err catalog_play(struct request *req, struct response *res, const struct db_stmt *visible,
			  const char *missing, const struct db_stmt *file, const char *not_its,
			  bool subtitle, struct field_error *fe)
{
	const char *p[CAT_NPARAMS + 2];
	PGresult *r;
	enum app_err e;

	if ((e = catalog_viewer(req, p, fe)))
		return e;
	p[CAT_NPARAMS] = catalog_path_id(req);
	p[CAT_NPARAMS + 1] = req_path(req, "file_id")->str;
	if ((e = db_query(req->app->db, req->arena, file, p, &r)))
		return e;
	if (PQntuples(r) != 1) {
		if ((e = catalog_by_path_id(req, p, visible, missing, &r, fe)))
			return e;
		return field_fail(fe, APP_ERR_NOT_FOUND, "file_id", "%s", not_its);
	}
	if (subtitle)
		return catalog_send_subtitle(req, res, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
					     PQgetvalue(r, 0, 2), fe);
	return catalog_send_file(req, res, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), "file_id", fe);
}

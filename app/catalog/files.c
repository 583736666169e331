#include "catalog/files.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog/catalog.h"
#include "catalog/request.h"
#include "core/file.h"
#include "core/json.h"
#include "core/log.h"
#include "http/accel.h"
#include "library/roots.h"
#include "media/subtitle_vtt.h"

static const char *const subtitle_formats[] = {"vtt", NULL};

const struct param_spec catalog_subtitle_query[] = {
    {.name = "format", .type = PT_ENUM, .choices = subtitle_formats,
     .doc = "vtt: the subtitle converted to WebVTT (for a browser's <track>)."},
    {0}};

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

/* The subtitle at path converted to WebVTT by the application: the same
 * checks as a file handed to nginx (allowed roots, its library's roots, a
 * regular file), then read and converted into the response. */
static enum app_err send_vtt(struct request *req, struct response *res, const char *path,
                             const char *roots, struct field_error *fe)
{
	char real[PATH_MAX], *data;
	size_t len = 0;
	enum app_err e;
	enum file_read fr;

	if (!library_file_permitted(req->app->cfg, path))
		return refused(fe, "index");
	if (!realpath(path, real))
		return field_fail(fe, APP_ERR_NOT_FOUND, "index", "is not on disk any more");
	if (!accel_inside_roots(real, roots)) {
		log_warn("stream.outside_root", "a subtitle resolves outside its library's roots");
		return field_fail(fe, APP_ERR_NOT_FOUND, "index", "is not on disk any more");
	}
	fr = file_read_capped(real, SUBTITLE_VTT_MAX_INPUT, &data, &len);
	if (fr == FILE_READ_TOO_BIG)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, "index",
		                  "is larger than the %zu MiB the server converts",
		                  SUBTITLE_VTT_MAX_INPUT >> 20);
	if (fr == FILE_READ_NOMEM)
		return APP_ERR_NOMEM;
	if (fr)
		return field_fail(fe, APP_ERR_NOT_FOUND, "index", "is not on disk any more");
	e = subtitle_to_vtt(data, len, &res->body);
	free(data);
	if (e == APP_ERR_UNPROCESSABLE)
		return field_fail(fe, e, "index",
		                  "is not a subtitle format the server can convert (SRT, ASS/SSA "
		                  "or WebVTT with at least one cue)");
	if (e == APP_ERR_TOO_LARGE)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, "index",
		                  "is too large to convert to WebVTT");
	if (e)
		return e;
	res->content_type = "text/vtt; charset=utf-8";
	res_header(res, "Cache-Control", "private, max-age=0");
	return APP_OK;
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
	if (req_query(req, "format"))
		return send_vtt(req, res, path, roots, fe);
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

/*
 * Direct play of movie files (SPEC §4.3): the application authorises,
 * nginx serves (http/accel.h).
 *
 * The handler checks the session, playback:stream (the route), library
 * access and the age limit (the viewer) and that the file is one of the
 * movie's; accel_send_file checks the file against its library's roots and
 * the Range header and hands it to nginx.
 */
#include <string.h>

#include "app.h"
#include "core/log.h"
#include "http/accel.h"
#include "library/roots.h"
#include "movies/movies.h"
#include "movies/view.h"

/* clang-format off */
/* $5 movie, $6 file: its path, its library's roots, its sidecars */
static const struct db_stmt q_file = {
	"stream_file",
	MV_VIEW_CTE " SELECT f.path, array_to_json(l.paths)::text, f.sidecars::text FROM v, movies m"
	" JOIN media_files f ON f.movie_id = m.id AND f.state = 'present'"
	" JOIN libraries l ON l.id = f.library_id"
	" WHERE " MV_VISIBLE("m") " AND m.id = $5::uuid AND f.id = $6::uuid",
	MV_NPARAMS + 2, true};
/* clang-format on */

static enum app_err file_row(struct request *req, PGresult **r, struct field_error *fe)
{
	const char *p[MV_NPARAMS + 2];
	enum app_err e;

	if ((e = mv_viewer(req, p, fe)) || (e = mv_require(req, p, fe)))
		return e;
	p[MV_NPARAMS + 1] = req_path(req, "file_id")->str;
	if ((e = db_query(req->app->db, req->arena, &q_file, p, r)))
		return e;
	if (PQntuples(*r) != 1)
		return field_fail(fe, APP_ERR_NOT_FOUND, "file_id", "is not a file of this movie");
	return APP_OK;
}

/* A file outside library.allowed_roots (library/roots.h) answers as if it
 * were gone, like one outside its library's roots. */
static enum app_err refused(struct field_error *fe, const char *field)
{
	log_warn("stream.not_allowed", "a file lies outside library.allowed_roots");
	return field_fail(fe, APP_ERR_NOT_FOUND, field, "is not on disk any more");
}

enum app_err movies_stream(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	enum app_err e;

	if ((e = file_row(req, &r, fe)))
		return e;
	if (!library_file_permitted(req->app->cfg, PQgetvalue(r, 0, 0)))
		return refused(fe, "file_id");
	return accel_send_file(req, res, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), "file_id", fe);
}

/* An external subtitle: sidecar `index` of the file, from its directory. */
enum app_err movies_subtitle(struct request *req, struct response *res, struct field_error *fe)
{
	int64_t index = req_path(req, "index")->num;
	PGresult *r;
	enum app_err e;

	if ((e = file_row(req, &r, fe)))
		return e;
	cJSON *side = cJSON_Parse(PQgetvalue(r, 0, 2));
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(side, "subtitles");
	const cJSON *it = cJSON_IsArray(subs) && index < cJSON_GetArraySize(subs)
	                      ? cJSON_GetArrayItem(subs, (int)index)
	                      : NULL;
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(it, "file");
	const char *path = NULL, *video = PQgetvalue(r, 0, 0), *slash = strrchr(video, '/');
	/* a sidecar is a plain name in the video's directory */
	if (cJSON_IsString(file) && !strchr(file->valuestring, '/') && file->valuestring[0] != '.' &&
	    slash)
		path = arena_printf(req->arena, "%.*s/%s", (int)(slash - video), video,
		                    file->valuestring);
	cJSON_Delete(side);
	if (!path)
		return field_fail(fe, APP_ERR_NOT_FOUND, "index", "is not a subtitle of this file");
	if (!library_file_permitted(req->app->cfg, path))
		return refused(fe, "index");
	return accel_send_file(req, res, path, PQgetvalue(r, 0, 1), "index", fe);
}

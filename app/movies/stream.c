/*
 * Direct play (SPEC §4.3): the application authorises, nginx serves.
 *
 * The handler checks the session, playback:stream (the route), library
 * access and the age limit (the viewer), resolves the file's real path and
 * checks that it lies inside one of its library's roots (a symlink out of
 * the library is refused), validates the Range header, and answers with
 * X-Accel-Redirect to nginx's internal /_media/ location, which sends the
 * file with sendfile, byte ranges (206/416) and its own validators. No
 * byte of media passes through a FastCGI process.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "app.h"
#include "auth/auth.h"
#include "core/log.h"
#include "http/headers.h"
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

/* Is real (a resolved path) inside one of the roots (a JSON array)? */
static bool inside_roots(const char *real, const char *roots_json)
{
	cJSON *roots = cJSON_Parse(roots_json), *it;
	char root[PATH_MAX];
	bool ok = false;

	cJSON_ArrayForEach(it, roots)
	{
		if (!cJSON_IsString(it) || !realpath(it->valuestring, root))
			continue;
		size_t n = strlen(root);
		if (!strncmp(real, root, n) && (real[n] == '/' || (n == 1 && root[0] == '/'))) {
			ok = true;
			break;
		}
	}
	cJSON_Delete(roots);
	return ok;
}

/* "/_media" + the path with every byte outside [A-Za-z0-9/._~-]
 * percent-encoded (spaces, "?", "#", "%" and non-ASCII names). */
static const char *accel_uri(struct request *req, const char *real)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t n = strlen(real);
	char *out = arena_alloc(req->arena, 8 + 3 * n), *o;

	if (!out)
		return NULL;
	o = out + sprintf(out, "/_media");
	for (const unsigned char *s = (const unsigned char *)real; *s; s++) {
		if (isalnum(*s) || strchr("/._~-", *s)) {
			*o++ = (char)*s;
		} else {
			*o++ = '%';
			*o++ = hexd[*s >> 4];
			*o++ = hexd[*s & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The Content-Type of a media or subtitle file by its extension. nginx
 * keeps the type the application sends with X-Accel-Redirect, so the
 * application names it (the same map as nginx/revenge.conf.in's). */
static const char *media_type(const char *path)
{
	static const char *const map[][2] = {
	    {"mkv", "video/x-matroska"}, {"mk3d", "video/x-matroska"}, {"mka", "audio/x-matroska"},
	    {"mp4", "video/mp4"},        {"m4v", "video/mp4"},         {"webm", "video/webm"},
	    {"avi", "video/x-msvideo"},  {"mov", "video/quicktime"},   {"wmv", "video/x-ms-wmv"},
	    {"ts", "video/mp2t"},        {"m2ts", "video/mp2t"},       {"mts", "video/mp2t"},
	    {"mpg", "video/mpeg"},       {"mpeg", "video/mpeg"},       {"vob", "video/mpeg"},
	    {"ogv", "video/ogg"},        {"flv", "video/x-flv"},       {"srt", "application/x-subrip"},
	    {"vtt", "text/vtt"},         {"ass", "text/x-ssa"},        {"ssa", "text/x-ssa"},
	    {"sub", "text/plain"},
	};
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcasecmp(dot + 1, map[i][0]))
				return map[i][1];
	return "application/octet-stream";
}

/* Hand path (inside the file's library) to nginx. */
static enum app_err send_file(struct request *req, struct response *res, const char *path,
                              const char *roots, const char *field, struct field_error *fe)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(path, real) || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		return field_fail(fe, APP_ERR_NOT_FOUND, field, "is not on disk any more");
	if (!inside_roots(real, roots)) {
		log_warn("stream.outside_root", "a file resolves outside its library's roots");
		return field_fail(fe, APP_ERR_NOT_FOUND, field, "is not on disk any more");
	}
	if (http_range_check(req_header(req, "Range"), (long long)st.st_size) < 0) {
		char cr[40];
		snprintf(cr, sizeof(cr), "bytes */%lld", (long long)st.st_size);
		res_header(res, "Content-Range", cr);
		return field_fail(fe, APP_ERR_RANGE, "Range",
		                  "must be bytes=first-last within the file's %lld bytes",
		                  (long long)st.st_size);
	}
	const char *uri = accel_uri(req, real);
	if (!uri)
		return APP_ERR_NOMEM;
	res_header(res, "X-Accel-Redirect", uri);
	/* nginx serves from the file: type by extension, ranges, validators */
	res_header(res, "Cache-Control", "private, max-age=0");
	res->content_type = media_type(real);
	return APP_OK;
}

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

enum app_err movies_stream(struct request *req, struct response *res, struct field_error *fe)
{
	PGresult *r;
	enum app_err e;

	if ((e = file_row(req, &r, fe)))
		return e;
	return send_file(req, res, PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1), "file_id", fe);
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
	return send_file(req, res, path, PQgetvalue(r, 0, 1), "index", fe);
}

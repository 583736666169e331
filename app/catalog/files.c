#include "catalog/files.h"

#include <string.h>

#include "app.h"
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

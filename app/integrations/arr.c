/* arr: reading Radarr/Sonarr webhook bodies (see arr.h). */
#include "integrations/arr.h"

#include <string.h>

#include "core/text.h"

int arr_kind_parse(const char *s)
{
	if (s && !strcmp(s, "radarr"))
		return ARR_RADARR;
	if (s && !strcmp(s, "sonarr"))
		return ARR_SONARR;
	return -1;
}

const char *arr_kind_name(enum arr_kind k)
{
	return k == ARR_SONARR ? "sonarr" : "radarr";
}

bool arr_safe_relative(const char *rel)
{
	return rel && rel[0] && rel[0] != '/' && !strchr(rel, '\\') && path_segments_plain(rel);
}

/* an absolute path with its trailing slashes dropped, or NULL */
static const char *plain_absolute(struct arena *a, const char *p)
{
	size_t n = p ? strlen(p) : 0;

	while (n > 1 && p[n - 1] == '/')
		n--;
	if (n == 1 && p[0] == '/')
		return "/";
	if (n < 2 || p[0] != '/')
		return NULL;
	char *out = arena_strndup(a, p, n);
	return out && path_segments_plain(out + 1) ? out : NULL;
}

const char *arr_map_path(struct arena *a, const cJSON *path_map, const char *remote)
{
	const char *best_local = NULL;
	size_t best = 0;
	const cJSON *rule;
	const char *p = plain_absolute(a, remote);

	if (!p)
		return NULL;
	cJSON_ArrayForEach(rule, path_map)
	{
		const char *from = plain_absolute(
		    a, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "remote")));
		const char *to =
		    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rule, "local"));
		size_t n = from ? strlen(from) : 0;
		if (!from || !to || n <= best)
			continue;
		/* whole segments: /data/movies matches /data/movies/x, not /data/movies2 */
		if (strncmp(p, from, n) || (p[n] && p[n] != '/' && strcmp(from, "/")))
			continue;
		best = n;
		best_local = to;
	}
	if (!best_local)
		return p;
	const char *rest = p + (best == 1 ? 0 : best);
	return plain_absolute(a, arena_printf(a, "%s%s", best_local, rest));
}

/* --- members ---------------------------------------------------------------- */

static const cJSON *member(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

static int64_t id_of(const cJSON *o, const char *name)
{
	const cJSON *v = member(o, name);
	return cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= 2147483647.0
	           ? (int64_t)v->valuedouble
	           : 0;
}

/* a string member, NULL when absent or not a non-empty string */
static const char *str_of(const cJSON *o, const char *name)
{
	const char *s = cJSON_GetStringValue(member(o, name));
	return s && s[0] ? s : NULL;
}

/* obj.member as a remote folder, mapped; a missing or unsafe one fails */
static enum app_err folder_of(struct arena *a, const cJSON *obj, const char *objname,
                              const char *name, const cJSON *map, const char **out,
                              const char **field, struct field_error *fe)
{
	const char *f = arena_printf(a, "%s.%s", objname, name);
	const char *remote = str_of(obj, name);

	*field = f;
	if (!cJSON_IsObject(obj))
		return field_fail(fe, APP_ERR_VALIDATION, objname, "is required (an object)");
	if (!remote)
		return field_fail(fe, APP_ERR_VALIDATION, f, "is required (a folder path)");
	if (!(*out = arr_map_path(a, map, remote)))
		return field_fail(fe, APP_ERR_VALIDATION, f,
		                  "must be an absolute path without . or .. segments");
	return APP_OK;
}

/* folder + "/" + obj.relativePath, checked */
static enum app_err file_in(struct arena *a, const char *folder, const cJSON *obj,
                            const char *field, const char **out, struct field_error *fe)
{
	const char *rel = str_of(obj, "relativePath");

	if (!arr_safe_relative(rel))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  rel ? "must be a relative path without . or .. segments"
		                      : "is required (a path below the item's folder)");
	*out = arena_printf(a, "%s/%s", folder, rel);
	return *out ? APP_OK : APP_ERR_NOMEM;
}

static const char *dir_of(struct arena *a, const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash && slash != path ? arena_strndup(a, path, (size_t)(slash - path)) : path;
}

/* deletedFiles: an array of {relativePath} (an import that replaced
 * files) or a boolean (an item deleted), which says nothing per file */
static enum app_err deleted_files(struct arena *a, const char *folder, const cJSON *body,
                                  struct arr_event *ev, struct field_error *fe)
{
	const cJSON *list = member(body, "deletedFiles"), *it;
	int i = 0;

	if (!cJSON_IsArray(list))
		return APP_OK;
	cJSON_ArrayForEach(it, list)
	{
		const char *field = arena_printf(a, "deletedFiles[%d].relativePath", i++);
		const char *path;
		enum app_err e;
		if (!field)
			return APP_ERR_NOMEM;
		if (ev->ndrop >= ARR_MAX_DROP)
			return field_fail(fe, APP_ERR_VALIDATION, "deletedFiles",
			                  "has more than 64 files");
		if ((e = file_in(a, folder, it, field, &path, fe)))
			return e;
		ev->drop[ev->ndrop++] = path;
	}
	return APP_OK;
}

enum app_err arr_event_read(struct arena *a, enum arr_kind kind, const cJSON *body,
                            const cJSON *path_map, struct arr_event *ev, struct field_error *fe)
{
	const bool tv = kind == ARR_SONARR;
	const char *objname = tv ? "series" : "movie";
	const cJSON *item = member(body, objname);
	const cJSON *file = member(body, tv ? "episodeFile" : "movieFile");
	const char *file_field = tv ? "episodeFile.relativePath" : "movieFile.relativePath";
	const char *ev_name, *path;
	enum app_err e;

	memset(ev, 0, sizeof(*ev));
	if (!cJSON_IsObject(body))
		return field_fail(fe, APP_ERR_VALIDATION, "body", "must be a JSON object");
	if (!(ev_name = str_of(body, "eventType")))
		return field_fail(fe, APP_ERR_VALIDATION, "eventType", "is required (a string)");
	if (strlen(ev_name) > 64)
		return field_fail(fe, APP_ERR_VALIDATION, "eventType", "is longer than 64 bytes");
	ev->event = arena_strdup(a, ev_name);
	ev->library_type = tv ? "tvshow" : "movie";
	ev->action = ARR_LOG;
	ev->title = str_of(item, "title") ? arena_strdup(a, str_of(item, "title")) : NULL;
	if (!ev->event)
		return APP_ERR_NOMEM;

	bool download = !strcmp(ev_name, "Download");
	bool rename = !strcmp(ev_name, "Rename");
	bool added = !strcmp(ev_name, tv ? "SeriesAdd" : "MovieAdded");
	bool file_delete = !strcmp(ev_name, tv ? "EpisodeFileDelete" : "MovieFileDelete");
	bool item_delete = !strcmp(ev_name, tv ? "SeriesDelete" : "MovieDelete");
	if (!download && !rename && !added && !file_delete && !item_delete)
		return APP_OK; /* Grab, Health, Test, ApplicationUpdate, …: logged */

	if ((e = folder_of(a, item, objname, tv ? "path" : "folderPath", path_map, &ev->folder,
	                   &ev->folder_field, fe)))
		return e;
	if (tv) {
		ev->tvdb_id = id_of(item, "tvdbId");
		ev->tmdb_id = id_of(item, "tmdbId");
	} else {
		ev->tmdb_id = id_of(item, "tmdbId");
	}
	const char *imdb = str_of(item, "imdbId");
	/* not an IMDb id: ignored, the others still count */
	ev->imdb_id =
	    imdb && strlen(imdb) <= 15 && !strncmp(imdb, "tt", 2) ? arena_strdup(a, imdb) : NULL;
	if (added) {
		ev->action = ARR_HINT;
		return APP_OK;
	}
	ev->action = ARR_SYNC;
	ev->scan = ev->folder;
	if (item_delete) {
		ev->forget = true;
		return APP_OK;
	}
	if (rename)
		return APP_OK;
	if ((e = file_in(a, ev->folder, file, file_field, &path, fe)))
		return e;
	ev->scan = dir_of(a, path);
	if (file_delete) {
		ev->drop[ev->ndrop++] = path;
		return APP_OK;
	}
	ev->rematch = true; /* Download: an import or an upgrade */
	return deleted_files(a, ev->folder, body, ev, fe);
}

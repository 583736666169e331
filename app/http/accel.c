#include "http/accel.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/log.h"
#include "http/headers.h"

bool accel_inside_roots(const char *real, const char *roots_json)
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

const char *accel_uri(struct arena *a, const char *real)
{
	static const char hexd[] = "0123456789ABCDEF";
	static const char prefix[] = "/_media";
	size_t n = strlen(real);
	char *out = arena_alloc(a, sizeof(prefix) + 3 * n), *o;

	if (!out)
		return NULL;
	memcpy(out, prefix, sizeof(prefix) - 1);
	o = out + sizeof(prefix) - 1;
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

const char *accel_media_type(const char *path)
{
	static const char *const map[][2] = {
	    {"mkv", "video/x-matroska"}, {"mk3d", "video/x-matroska"},
	    {"mka", "audio/x-matroska"}, {"mp4", "video/mp4"},
	    {"m4v", "video/mp4"},        {"webm", "video/webm"},
	    {"avi", "video/x-msvideo"},  {"mov", "video/quicktime"},
	    {"wmv", "video/x-ms-wmv"},   {"ts", "video/mp2t"},
	    {"m2ts", "video/mp2t"},      {"mts", "video/mp2t"},
	    {"mpg", "video/mpeg"},       {"mpeg", "video/mpeg"},
	    {"vob", "video/mpeg"},       {"ogv", "video/ogg"},
	    {"flv", "video/x-flv"},      {"srt", "application/x-subrip"},
	    {"vtt", "text/vtt"},         {"ass", "text/x-ssa"},
	    {"ssa", "text/x-ssa"},       {"sub", "text/plain"},
	};
	const char *dot = strrchr(path, '.');

	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcasecmp(dot + 1, map[i][0]))
				return map[i][1];
	return "application/octet-stream";
}

enum app_err accel_send_file(struct request *req, struct response *res, const char *path,
                             const char *roots_json, const char *field, struct field_error *fe)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(path, real) || stat(real, &st) < 0 || !S_ISREG(st.st_mode))
		return field_fail(fe, APP_ERR_NOT_FOUND, field, "is not on disk any more");
	if (!accel_inside_roots(real, roots_json)) {
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
	const char *uri = accel_uri(req->arena, real);
	if (!uri)
		return APP_ERR_NOMEM;
	res_header(res, "X-Accel-Redirect", uri);
	/* nginx serves from the file: type by extension, ranges, validators */
	res_header(res, "Cache-Control", "private, max-age=0");
	res->content_type = accel_media_type(real);
	return APP_OK;
}

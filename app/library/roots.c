#include "library/roots.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ALLOWED LIBRARY_MAX_ALLOWED

/* The next comma-separated entry of *s, blanks trimmed, copied into out
 * (PATH_MAX bytes); false at the end. An entry too long for out comes back
 * empty, which is not an absolute path. */
static bool next_entry(const char **s, char *out)
{
	const char *p = *s, *end;
	size_t n;

	if (!*p)
		return false;
	end = strchr(p, ',');
	if (!end)
		end = p + strlen(p);
	*s = *end ? end + 1 : end;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - p);
	if (n >= PATH_MAX)
		n = 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

enum app_err library_roots_config_check(const struct config *cfg, struct buf *err)
{
	const char *s = cfg->library_allowed_roots;
	char entry[PATH_MAX];
	int n = 0;

	if (!s)
		return APP_OK;
	while (next_entry(&s, entry)) {
		if (entry[0] != '/') {
			buf_printf(err, "library.allowed_roots: entry %d is not an absolute path",
			           n + 1);
			return APP_ERR_VALIDATION;
		}
		if (++n > MAX_ALLOWED) {
			buf_printf(err, "library.allowed_roots: more than %d entries", MAX_ALLOWED);
			return APP_ERR_VALIDATION;
		}
	}
	return APP_OK;
}

/* Is a equal to b or inside it (both resolved, no trailing slash)? */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);

	if (n == 1 && b[0] == '/')
		return true;
	return !strncmp(a, b, n) && (a[n] == '\0' || a[n] == '/');
}

/* path resolved into out (PATH_MAX bytes); a path that does not resolve
 * (not created yet) is kept as written when absolute. false: nothing. */
static bool resolve(const char *path, char *out)
{
	size_t n;

	if (!path || path[0] != '/')
		return false;
	if (realpath(path, out))
		return true;
	n = strlen(path);
	if (n >= PATH_MAX)
		return false;
	memcpy(out, path, n + 1);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	return true;
}

/* The server's own directories, resolved: the configuration file's
 * directory and storage.path. Returns how many were filled in. */
static int state_dirs(const struct config *cfg, char out[2][PATH_MAX])
{
	int n = 0;

	if (cfg->config_file && resolve(cfg->config_file, out[n])) {
		char *slash = strrchr(out[n], '/');
		if (slash == out[n])
			slash[1] = '\0'; /* a file in "/" */
		else if (slash)
			*slash = '\0';
		n++;
	}
	if (resolve(cfg->storage_path, out[n]))
		n++;
	return n;
}

enum app_err library_root_permitted(const struct config *cfg, const char *root, const char *field,
                                    struct field_error *fe)
{
	char state[2][PATH_MAX], entry[PATH_MAX], allowed[PATH_MAX];
	const char *s = cfg->library_allowed_roots;
	bool admitted = false, opened[2] = {false, false};
	int nstate = state_dirs(cfg, state);

	if (!s)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, field,
		                  "cannot be used: no library.allowed_roots is configured (the "
		                  "administrator lists the media folders there)");
	while (next_entry(&s, entry)) {
		if (entry[0] != '/' || !realpath(entry, allowed) || !within(root, allowed))
			continue;
		admitted = true;
		/* an allowed root listed inside a state directory opens it */
		for (int i = 0; i < nstate; i++)
			if (within(allowed, state[i]) && strcmp(allowed, state[i]))
				opened[i] = true;
	}
	if (!admitted)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, field,
		                  "is not inside a directory of library.allowed_roots");
	for (int i = 0; i < nstate; i++) {
		if (within(state[i], root))
			return field_fail(
			    fe, APP_ERR_UNPROCESSABLE, field,
			    "contains the server's own files (configuration or storage)");
		if (within(root, state[i]) && !opened[i])
			return field_fail(
			    fe, APP_ERR_UNPROCESSABLE, field,
			    "is inside the server's own files (configuration or storage)");
	}
	return APP_OK;
}

enum app_err library_scope_load(const struct config *cfg, struct arena *a,
                                struct library_scope *s)
{
	char state[2][PATH_MAX], entry[PATH_MAX], real[PATH_MAX];
	const char *list = cfg->library_allowed_roots;

	memset(s, 0, sizeof(*s));
	s->nstate = state_dirs(cfg, state);
	for (int i = 0; i < s->nstate; i++)
		if (!(s->state[i] = arena_strdup(a, state[i])))
			return APP_ERR_NOMEM;
	while (list && s->nroots < MAX_ALLOWED && next_entry(&list, entry)) {
		int k = s->nroots++;
		if (!(s->written[k] = arena_strdup(a, entry)))
			return APP_ERR_NOMEM;
		if (entry[0] == '/' && realpath(entry, real) && !(s->real[k] = arena_strdup(a, real)))
			return APP_ERR_NOMEM;
	}
	return APP_OK;
}

bool library_scope_browsable(const struct library_scope *s, const char *real, const char **why)
{
	bool admitted = false, opened[2] = {false, false};

	for (int k = 0; k < s->nroots; k++) {
		if (!s->real[k] || !within(real, s->real[k]))
			continue;
		admitted = true;
		for (int i = 0; i < s->nstate; i++)
			if (within(s->real[k], s->state[i]) && strcmp(s->real[k], s->state[i]))
				opened[i] = true;
	}
	*why = "outside";
	if (!admitted)
		return false;
	*why = "state";
	for (int i = 0; i < s->nstate; i++)
		if (within(real, s->state[i]) && !opened[i])
			return false;
	*why = NULL;
	return true;
}

bool library_file_permitted(const struct config *cfg, const char *path)
{
	char real[PATH_MAX];
	struct field_error ignored = {0};

	return realpath(path, real) &&
	       library_root_permitted(cfg, real, "path", &ignored) == APP_OK;
}

bool library_extension_permitted(const char *ext)
{
	static const char *const ok[] = {
	    /* video containers (SPEC §3.2, plus the spellings scanners meet) */
	    "mp4", "mkv", "avi", "mov", "wmv", "flv", "webm", "m4v", "mpg", "mpeg", "3gp", "ts",
	    "m2ts", "vob", "ogv", "mts", "m2t", "mk3d", "ogm", "divx", "asf", "rmvb", "wtv",
	    /* sidecars: subtitles, NFO, pictures */
	    "srt", "ass", "ssa", "vtt", "sub", "idx", "nfo", "jpg", "jpeg", "png", "webp", NULL};

	for (int i = 0; ok[i]; i++)
		if (!strcmp(ext, ok[i]))
			return true;
	return false;
}

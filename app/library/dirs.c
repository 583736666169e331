#include "library/dirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "core/json.h"
#include "core/text.h"

/* clang-format off */
const struct param_spec dirs_query[] = {
    {.name = "path", .type = PT_STRING, .min = 1, .max = 4096,
     .doc = "An absolute directory inside library.allowed_roots; absent: the roots."},
    {0}};
/* clang-format on */

static enum app_err refuse(struct field_error *fe, const char *why)
{
	if (why && !strcmp(why, "state"))
		return field_fail(fe, APP_ERR_FORBIDDEN, "path",
		                  "is inside the server's own files (configuration or storage)");
	return field_fail(fe, APP_ERR_FORBIDDEN, "path", "is outside library.allowed_roots");
}

static bool is_dir(const char *real)
{
	struct stat st;

	return stat(real, &st) == 0 && S_ISDIR(st.st_mode);
}

static enum app_err list_roots(const struct library_scope *s, struct arena *a,
                               struct dir_listing *out)
{
	const char *why;

	out->items = arena_calloc(a, (size_t)s->nroots + 1, sizeof(*out->items));
	if (!out->items)
		return APP_ERR_NOMEM;
	for (int k = 0; k < s->nroots; k++) {
		const char *real = s->real[k];
		bool seen = false;

		if (!real || !is_dir(real) || !library_scope_browsable(s, real, &why))
			continue;
		for (size_t i = 0; i < out->n && !seen; i++)
			seen = !strcmp(out->items[i].path, real);
		if (!seen)
			out->items[out->n++] = (struct dir_entry){s->written[k], real};
	}
	return APP_OK;
}

/*
 * A path that does not resolve: judged by its deepest ancestor that does,
 * so a missing path outside the roots is refused like an existing one
 * (the answer tells nothing about what lies outside). err: realpath's
 * errno for the path itself.
 */
static enum app_err unresolved(const struct library_scope *s, const char *path, int err,
                               struct field_error *fe)
{
	char anc[PATH_MAX], real[PATH_MAX];
	size_t n = strnlen(path, PATH_MAX - 1);
	const char *why;

	/* cutting a too long path keeps a prefix: its ancestors are the path's */
	memcpy(anc, path, n);
	anc[n] = '\0';
	do {
		char *slash = strrchr(anc, '/');
		if (!slash || slash == anc)
			anc[1] = '\0', anc[0] = '/';
		else
			*slash = '\0';
	} while (!realpath(anc, real) && strcmp(anc, "/"));
	if (!strcmp(anc, "/") && !realpath(anc, real))
		return refuse(fe, "outside");
	if (!library_scope_browsable(s, real, &why))
		return refuse(fe, why);
	if (err == EACCES)
		return field_fail(fe, APP_ERR_FORBIDDEN, "path", "is not readable by the server");
	return field_fail(fe, APP_ERR_NOT_FOUND, "path", "does not exist");
}

/* The DIRS_MAX_LIST smallest names seen, in order: slots hold the names,
 * order the slot of each rank. */
struct top {
	char (*slot)[NAME_MAX + 1];
	int *order;
	int n;
	bool truncated;
};

static void top_add(struct top *t, const char *name)
{
	int lo = 0, hi = t->n, at;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(t->slot[t->order[mid]], name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->n < DIRS_MAX_LIST) {
		at = t->n++;
	} else {
		t->truncated = true;
		if (lo == DIRS_MAX_LIST)
			return;
		at = t->order[DIRS_MAX_LIST - 1]; /* the largest goes */
	}
	memmove(&t->order[lo + 1], &t->order[lo], (size_t)(t->n - 1 - lo) * sizeof(*t->order));
	/* d_name is at most NAME_MAX bytes */
	memcpy(t->slot[at], name, strnlen(name, NAME_MAX));
	t->slot[at][strnlen(name, NAME_MAX)] = '\0';
	t->order[lo] = at;
}

/* dir/name into out (PATH_MAX); false when it does not fit. */
static bool join(const char *dir, const char *name, char *out)
{
	size_t dn = strcmp(dir, "/") ? strlen(dir) : 0, nn = strlen(name);

	if (dn + 1 + nn >= PATH_MAX)
		return false;
	memcpy(out, dir, dn);
	out[dn] = '/';
	memcpy(out + dn + 1, name, nn + 1);
	return true;
}

/* Does the listing of dir (resolved, open as dfd) show entry d? */
static bool shown(const struct library_scope *s, int dfd, const char *dir, const struct dirent *d)
{
	char joined[PATH_MAX], real[PATH_MAX];
	const char *name = d->d_name, *why;
	size_t n = strlen(name);
	unsigned char type = d->d_type;

	if (name[0] == '.' || !utf8_valid(name, n) || has_control(name, n) ||
	    !join(dir, name, joined))
		return false;
	if (type == DT_UNKNOWN) {
		struct stat st;
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return false;
		type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
	}
	/* a real directory in a resolved one: joined is its real path */
	if (type == DT_DIR)
		return library_scope_browsable(s, joined, &why);
	return type == DT_LNK && realpath(joined, real) && is_dir(real) &&
	       library_scope_browsable(s, real, &why);
}

/* The shown entries of the open directory dir (resolved) into out. */
static enum app_err read_entries(const struct library_scope *s, DIR *dh, const char *dir,
                                 struct arena *a, struct dir_listing *out)
{
	struct top t = {.slot = malloc(sizeof(*t.slot) * DIRS_MAX_LIST),
	                .order = malloc(sizeof(*t.order) * DIRS_MAX_LIST)};
	char joined[PATH_MAX];
	enum app_err e = APP_ERR_NOMEM;
	struct dirent *d;
	long scanned = 0;

	if (!t.slot || !t.order)
		goto out;
	while ((d = readdir(dh))) {
		if (++scanned > DIRS_MAX_SCAN) {
			t.truncated = true;
			break;
		}
		if (shown(s, dirfd(dh), dir, d))
			top_add(&t, d->d_name);
	}
	out->items = arena_calloc(a, (size_t)t.n + 1, sizeof(*out->items));
	if (!out->items)
		goto out;
	for (int i = 0; i < t.n; i++) {
		const char *name = t.slot[t.order[i]];
		join(dir, name, joined); /* fitted when it was shown */
		out->items[i].name = arena_strdup(a, name);
		out->items[i].path = arena_strdup(a, joined);
		if (!out->items[i].name || !out->items[i].path)
			goto out;
	}
	out->n = (size_t)t.n;
	out->truncated = t.truncated;
	e = APP_OK;
out:
	free(t.slot);
	free(t.order);
	return e;
}

enum app_err dirs_list(const struct library_scope *s, const char *path, struct arena *a,
                       struct dir_listing *out, struct field_error *fe)
{
	char real[PATH_MAX], parent[PATH_MAX];
	const char *why;
	DIR *dh;
	enum app_err e;

	memset(out, 0, sizeof(*out));
	if (!path)
		return list_roots(s, a, out);
	if (path[0] != '/')
		return field_fail(fe, APP_ERR_VALIDATION, "path", "must be an absolute path");
	if (!realpath(path, real))
		return unresolved(s, path, errno, fe);
	if (!library_scope_browsable(s, real, &why))
		return refuse(fe, why);
	if (!is_dir(real))
		return field_fail(fe, APP_ERR_NOT_FOUND, "path", "is not a directory");
	if (!(dh = opendir(real)))
		return errno == EACCES
		           ? field_fail(fe, APP_ERR_FORBIDDEN, "path",
		                        "is not readable by the server")
		           : field_fail(fe, APP_ERR_NOT_FOUND, "path", "does not exist");
	e = read_entries(s, dh, real, a, out);
	closedir(dh);
	if (e)
		return e;
	if (!(out->path = arena_strdup(a, real)))
		return APP_ERR_NOMEM;
	if (strcmp(real, "/")) {
		char *slash;
		memcpy(parent, real, strlen(real) + 1);
		slash = strrchr(parent, '/');
		slash[slash == parent] = '\0'; /* "/srv" has the parent "/" */
		if (library_scope_browsable(s, parent, &why) &&
		    !(out->parent = arena_strdup(a, parent)))
			return APP_ERR_NOMEM;
	}
	return APP_OK;
}

enum app_err admin_directories(struct request *req, struct response *res, struct field_error *fe)
{
	const struct param_value *path = req_query(req, "path");
	struct library_scope s;
	struct dir_listing l;
	struct jw w;
	enum app_err e;

	if ((e = library_scope_load(req->app->cfg, req->arena, &s)) ||
	    (e = dirs_list(&s, path ? path->str : NULL, req->arena, &l, fe)))
		return e;
	jw_init(&w, &res->body);
	jw_obj_open(&w);
	jw_kstr(&w, "path", l.path);
	jw_kstr(&w, "parent", l.parent);
	jw_key(&w, "directories");
	jw_arr_open(&w);
	for (size_t i = 0; i < l.n; i++) {
		jw_obj_open(&w);
		jw_kstr(&w, "name", l.items[i].name);
		jw_kstr(&w, "path", l.items[i].path);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_kbool(&w, "truncated", l.truncated);
	jw_obj_close(&w);
	return buf_ok(&res->body) ? APP_OK : APP_ERR_NOMEM;
}

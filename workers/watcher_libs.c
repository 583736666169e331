/* watcher_libs: the libraries as the folder watcher knows them (see
 * watcher_int.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "core/log.h"
#include "watch_fs.h"
#include "watcher.h"
#include "watcher_int.h"

static const struct db_stmt q_libraries = {
    "watcher_libraries",
    "SELECT id::text, array_to_json(paths)::text, coalesce(array_to_json(extensions)::text, 'null')"
    " FROM libraries WHERE enabled ORDER BY id",
    0, true};

struct wlib *watcher_lib(const struct watcher *w, int handle)
{
	for (size_t i = 0; i < w->nlibs; i++)
		if (w->libs[i]->handle == handle)
			return w->libs[i];
	return NULL;
}

int watcher_root_index(const struct wlib *L, const char *path)
{
	for (int i = 0; i < L->nroots; i++)
		if (!strcmp(L->roots[i], path))
			return i;
	return -1;
}

const char *watcher_root_of(const struct wlib *L, const char *path)
{
	for (int i = 0; i < L->nroots; i++) {
		size_t n = strlen(L->roots[i]);
		if (!strncmp(path, L->roots[i], n) && (path[n] == '/' || !path[n]))
			return L->roots[i];
	}
	return NULL;
}

static void free_polls(struct wlib *L)
{
	for (size_t i = 0; i < L->npolls; i++)
		free(L->polls[i].path);
	free(L->polls);
	L->polls = NULL;
	L->npolls = 0;
}

static void lib_free(struct wlib *L)
{
	if (!L)
		return;
	free_polls(L);
	for (int i = 0; i < L->nroots; i++)
		free(L->roots[i]);
	for (int i = 0; L->exts[i]; i++)
		free(L->exts[i]);
	free(L->sig);
	free(L);
}

/* Scan path every poll interval from now on (the first one now). */
static void add_poll(struct wlib *L, const char *path, const char *fs, int64_t now)
{
	struct poll_target *v;

	for (size_t i = 0; i < L->npolls; i++)
		if (!strcmp(L->polls[i].path, path))
			return;
	if (!(v = realloc(L->polls, (L->npolls + 1) * sizeof(*v))))
		return;
	L->polls = v;
	if (!(v[L->npolls].path = strdup(path)))
		return;
	v[L->npolls].fs = fs;
	v[L->npolls].next_us = now;
	L->npolls++;
}

/* A network mount below a watched folder (watch_tree's callback). */
static void on_remote(void *arg, int lib, const char *path, const char *fs)
{
	struct watcher *w = arg;
	struct wlib *L = watcher_lib(w, lib);

	if (!L)
		return;
	log_info("watcher.remote",
	         "library %s: %s is on %s, which inotify cannot watch; it is scanned every %lld s "
	         "instead",
	         L->id, path, fs, (long long)(w->poll_us / 1000000));
	add_poll(L, path, fs, w->now_us);
}

/* The library is past the watch limit: no watches, its roots polled. */
static void fall_back(struct watcher *w, struct wlib *L, int64_t now, const char *why)
{
	if (w->tree)
		watch_tree_remove_lib(w->tree, L->handle);
	watch_pending_drop_lib(&w->pending, L->handle);
	free_polls(L);
	L->fallback = true;
	L->retry_us = now + (int64_t)WATCHER_RETRY_MS * 1000;
	for (int i = 0; i < L->nroots; i++)
		if (!L->gone[i])
			add_poll(L, L->roots[i], watch_fs_remote_path(L->roots[i]), now);
	if (!L->limit_logged)
		log_warn(
		    "watcher.limit",
		    "library %s: %s; its watches are removed and its folders are scanned every "
		    "%lld s instead (raise fs.inotify.max_user_watches to watch it; tried again "
		    "every %d min)",
		    L->id, why, (long long)(w->poll_us / 1000000), WATCHER_RETRY_MS / 60000);
	else
		log_info("watcher.retry", "library %s: still past the watch limit", L->id);
	L->limit_logged = true;
}

/* Watch a folder (and below); the watch limit makes the library fall back. */
void watcher_watch_dir(struct watcher *w, struct wlib *L, const char *dir, int depth, int64_t now)
{
	if (L->fallback || !w->tree)
		return; /* polled: no watches */
	w->now_us = now;
	switch (watch_tree_add(w->tree, L->handle, dir, depth, on_remote, w)) {
	case WATCH_TREE_OK:
	case WATCH_TREE_GONE:
		return;
	case WATCH_TREE_LIMIT:
		fall_back(w, L, now,
		          w->max_watches >= 0 && watch_tree_count(w->tree) >= (size_t)w->max_watches
		              ? "the watch limit of RV_WATCHER_MAX_WATCHES is reached"
		              : "the inotify watch limit is reached (fs.inotify.max_user_watches)");
		return;
	case WATCH_TREE_ERROR:
		fall_back(w, L, now, "inotify refused a watch (out of kernel memory)");
		return;
	}
}

/* Watch root i (or poll it); a root newly watched gets one scan, which
 * finds what changed while nobody watched. */
static void setup_root(struct watcher *w, struct wlib *L, int i, int64_t now)
{
	const char *root = L->roots[i];
	struct stat sb;

	if (stat(root, &sb) || !S_ISDIR(sb.st_mode)) {
		if (!L->gone[i])
			log_warn("watcher.root_gone",
			         "library %s: %s is not a readable folder (deleted, moved or "
			         "unmounted); looked for again every %d s",
			         L->id, root, WATCHER_REFRESH_MS / 1000);
		L->gone[i] = true;
		return;
	}
	if (L->gone[i])
		log_info("watcher.root_back", "library %s: %s is back", L->id, root);
	L->gone[i] = false;
	const char *fs = watch_fs_remote_path(root);
	if (fs) {
		log_info("watcher.remote",
		         "library %s: %s is on %s, which inotify cannot watch; it is scanned every "
		         "%lld s instead",
		         L->id, root, fs, (long long)(w->poll_us / 1000000));
		add_poll(L, root, fs, now);
		return;
	}
	if (L->fallback || !w->tree) {
		L->fallback = true;
		add_poll(L, root, NULL, now);
		return;
	}
	watcher_watch_dir(w, L, root, 0, now);
	if (!L->fallback)
		watcher_pend(w, L, root, now);
}

static void setup_lib(struct watcher *w, struct wlib *L, int64_t now)
{
	for (int i = 0; i < L->nroots; i++)
		setup_root(w, L, i, now);
	log_info("watcher.library", "library %s: %zu folders watched, %zu scanned every %lld s%s",
	         L->id, w->tree ? watch_tree_count_lib(w->tree, L->handle) : 0, L->npolls,
	         (long long)(w->poll_us / 1000000), L->fallback ? " (past the watch limit)" : "");
}

static void drop_lib(struct watcher *w, size_t i)
{
	struct wlib *L = w->libs[i];

	if (w->tree)
		watch_tree_remove_lib(w->tree, L->handle);
	watch_pending_drop_lib(&w->pending, L->handle);
	lib_free(L);
	w->libs[i] = w->libs[--w->nlibs];
}

/* A library entry from one row of q_libraries; NULL when it has no usable
 * root or memory ran out. */
static struct wlib *lib_new(struct watcher *w, const char *id, const char *paths, const char *exts,
                            const char *sig)
{
	struct wlib *L = calloc(1, sizeof(*L));
	cJSON *pa = cJSON_Parse(paths), *ea = cJSON_Parse(exts);
	const cJSON *it;
	int ne = 0;

	if (!L || !(L->sig = strdup(sig)))
		goto fail;
	snprintf(L->id, sizeof(L->id), "%s", id);
	L->handle = ++w->next_handle;
	cJSON_ArrayForEach(it, pa)
	{
		/* a root as the scan compares paths: absolute, no trailing slash */
		if (L->nroots < MAX_ROOTS && cJSON_IsString(it) && it->valuestring[0] == '/' &&
		    strlen(it->valuestring) < PATH_MAX &&
		    (L->roots[L->nroots] = strdup(it->valuestring)))
			L->nroots++;
	}
	cJSON_ArrayForEach(it, ea)
	{
		if (ne < MAX_EXTS && cJSON_IsString(it) && (L->exts[ne] = strdup(it->valuestring)))
			ne++;
	}
	L->custom_exts = ne > 0;
	cJSON_Delete(pa);
	cJSON_Delete(ea);
	if (!L->nroots) {
		lib_free(L);
		return NULL;
	}
	return L;
fail:
	cJSON_Delete(pa);
	cJSON_Delete(ea);
	lib_free(L);
	return NULL;
}

/* Read the library list and follow it: new and changed libraries are
 * (re)watched, gone ones dropped; roots that went away are looked for, and
 * libraries past the watch limit are tried again when their time comes. */
void watcher_refresh(struct watcher *w, int64_t now)
{
	PGresult *r;

	w->next_refresh_us = now + (int64_t)WATCHER_REFRESH_MS * 1000;
	if (db_query(w->db, w->arena, &q_libraries, NULL, &r)) {
		watcher_db_trouble(w);
		w->next_refresh_us = now + DB_RETRY_US;
		return;
	}
	watcher_db_fine(w);
	for (size_t i = 0; i < w->nlibs; i++)
		w->libs[i]->seen = false;
	for (int row = 0; row < PQntuples(r); row++) {
		const char *id = PQgetvalue(r, row, 0), *paths = PQgetvalue(r, row, 1);
		const char *exts = PQgetvalue(r, row, 2);
		char *sig = arena_printf(w->arena, "%s|%s", paths, exts);
		struct wlib *L = NULL;
		size_t at = w->nlibs;

		for (size_t i = 0; i < w->nlibs; i++)
			if (!strcmp(w->libs[i]->id, id))
				at = i;
		if (at < w->nlibs && sig && !strcmp(w->libs[at]->sig, sig)) {
			w->libs[at]->seen = true;
			continue;
		}
		if (at < w->nlibs)
			drop_lib(w, at); /* its folders changed: watched afresh */
		struct wlib **v = realloc(w->libs, (w->nlibs + 1) * sizeof(*v));
		if (!v || !sig || !(L = lib_new(w, id, paths, exts, sig))) {
			if (v)
				w->libs = v;
			continue;
		}
		w->libs = v;
		w->libs[w->nlibs++] = L;
		L->seen = true;
		setup_lib(w, L, now);
	}
	for (size_t i = 0; i < w->nlibs;) {
		struct wlib *L = w->libs[i];
		if (!L->seen) {
			log_info("watcher.library",
			         "library %s: no longer watched (deleted or disabled)", L->id);
			drop_lib(w, i);
			continue;
		}
		if (L->fallback && w->tree && now >= L->retry_us) {
			/* watch it again from scratch; past the limit it falls back again */
			free_polls(L);
			L->fallback = false;
			setup_lib(w, L, now);
			if (!L->fallback) {
				log_info("watcher.retry", "library %s: watched again", L->id);
				L->limit_logged = false;
			}
		} else {
			for (int k = 0; k < L->nroots; k++)
				if (L->gone[k])
					setup_root(w, L, k, now);
		}
		i++;
	}
}

void watcher_drop_all(struct watcher *w)
{
	while (w->nlibs)
		drop_lib(w, w->nlibs - 1);
}

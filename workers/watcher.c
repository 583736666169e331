#include "watcher.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "db/db.h"
#include "jobs/jobs.h"
#include "library/scan.h"
#include "stats.h"
#include "watch_fs.h"
#include "watch_pending.h"
#include "watch_tree.h"

#define MAX_ROOTS 16 /* as the scanner reads them */
#define MAX_EXTS 32
#define PATH_ARG_MAX 4096  /* the longest path library.scan_path accepts */
#define MAX_WAIT_FACTOR 30 /* a folder never quiet is scanned after 30 debounces */
#define GAUGES_EVERY_US (30LL * 1000 * 1000)
#define DB_RETRY_US (2LL * 1000 * 1000)
#define READS_PER_ROUND 16
#define SCAN_ATTEMPTS 5

/* A folder scanned every library.poll_interval instead of watched. */
struct poll_target {
	char *path;
	const char *fs; /* the network filesystem; NULL: the library is past the watch limit */
	int64_t next_us;
};

/* An enabled library as the watcher knows it. */
struct wlib {
	int handle; /* stable for the life of this entry (watch_tree, watch_pending) */
	char id[37];
	char *sig; /* its paths and extensions as read: a change rebuilds the entry */
	char *roots[MAX_ROOTS];
	bool gone[MAX_ROOTS]; /* not a readable folder when last looked at */
	int nroots;
	char *exts[MAX_EXTS + 1];
	bool custom_exts;
	bool fallback;     /* past the watch limit (or no inotify): polled */
	bool limit_logged; /* the warning is out */
	int64_t retry_us;  /* when to try watching it again */
	struct poll_target *polls;
	size_t npolls;
	bool seen; /* in the library list just read */
};

enum gauge { G_WATCHES, G_FALLBACK, G_REMOTE, G__COUNT };
static const char *const gauge_names[G__COUNT] = {"watcher_watches", "watcher_fallback_libraries",
                                                  "watcher_remote_folders"};

struct watcher {
	pthread_t thread;
	pthread_mutex_t mu;
	bool stop;                    /* [mu] */
	bool enabled;                 /* [mu] library.watch */
	int64_t debounce_ms, poll_ms; /* [mu] */
	atomic_bool leading;
	int wake_fd;

	/* the thread's own */
	struct db *db;
	struct arena *arena;
	int64_t max_watches; /* RV_WATCHER_MAX_WATCHES; -1: the kernel's only */
	bool active;
	bool start_logged;
	struct watch_tree *tree; /* NULL while inotify cannot start */
	int64_t inotify_retry_us;
	struct watch_pending pending;
	struct wlib **libs;
	size_t nlibs;
	int next_handle;
	int64_t debounce_us, poll_us;
	int64_t next_refresh_us, next_gauges_us;
	int64_t now_us; /* of the current step, for watch_tree's callback */
	int64_t gauges[G__COUNT];
	bool gauges_known; /* gauges[] is what the table holds */
	bool db_down;
};

static const struct db_stmt q_libraries = {
    "watcher_libraries",
    "SELECT id::text, array_to_json(paths)::text, coalesce(array_to_json(extensions)::text, 'null')"
    " FROM libraries WHERE enabled ORDER BY id",
    0, true};

static const struct db_stmt q_job_state = {
    "watcher_job_state", "SELECT state::text FROM jobs WHERE id = $1::bigint", 1, true};

/* One watcher writes these, so a gauge is set, not added to. */
static const struct db_stmt q_gauges = {
    "watcher_gauges",
    "INSERT INTO job_counters (name, value) SELECT * FROM unnest($1::text[], $2::bigint[])"
    " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
    2, false};

/* ---- database ------------------------------------------------------------ */

static void db_trouble(struct watcher *w)
{
	if (!w->db_down)
		log_warn("watcher.db", "database unreachable; folder scans wait until it answers");
	w->db_down = true;
}

static void db_fine(struct watcher *w)
{
	if (w->db_down)
		log_info("watcher.db", "database reachable again");
	w->db_down = false;
}

enum enqueued { ENQ_OK, ENQ_RUNNING, ENQ_FAILED };

/* One library.scan_path job for path. ENQ_RUNNING: the folder's job runs
 * right now (it holds the unique key) and may have walked past the change;
 * the caller asks again later. */
static enum enqueued enqueue_scan(struct watcher *w, const struct wlib *L, const char *path)
{
	char key[WATCH_KEY_MAX], ids[24];
	struct buf args;
	struct jw j;
	int64_t id = 0;
	bool dup = false;
	PGresult *r;

	buf_init(&args, 2 * PATH_ARG_MAX);
	jw_init(&j, &args);
	jw_obj_open(&j);
	jw_kstr(&j, "library_id", L->id);
	jw_kstr(&j, "path", path);
	jw_kbool(&j, "settle", true);
	jw_obj_close(&j);
	struct job_spec spec = {.kind = "library.scan_path",
	                        .args = args.data,
	                        .priority = JOB_DEFAULT,
	                        .max_attempts = SCAN_ATTEMPTS,
	                        .unique_key = watch_fs_key(key, sizeof(key), L->id, path)};
	enum app_err e =
	    buf_ok(&args) ? job_enqueue(w->db, w->arena, &spec, &id, &dup) : APP_ERR_NOMEM;
	buf_release(&args);
	if (e == APP_ERR_DB) {
		db_trouble(w);
		return ENQ_FAILED;
	}
	if (e) {
		log_warn("watcher.enqueue", "library %s: no scan of %s (%s)", L->id, path,
		         app_err_slug(e));
		return ENQ_OK; /* it would fail again the same way */
	}
	db_fine(w);
	if (!dup) {
		stats_watch(0, 1);
		log_debug("watcher.enqueue", "library %s: job %lld scans %s", L->id, (long long)id,
		          path);
		return ENQ_OK;
	}
	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	const char *p[] = {ids};
	if (db_query(w->db, w->arena, &q_job_state, p, &r))
		return ENQ_FAILED;
	return PQntuples(r) && !strcmp(PQgetvalue(r, 0, 0), "running") ? ENQ_RUNNING : ENQ_OK;
}

/* ---- libraries ------------------------------------------------------------ */

static struct wlib *lib_by_handle(const struct watcher *w, int handle)
{
	for (size_t i = 0; i < w->nlibs; i++)
		if (w->libs[i]->handle == handle)
			return w->libs[i];
	return NULL;
}

/* The index of the root path names, or -1. */
static int root_index(const struct wlib *L, const char *path)
{
	for (int i = 0; i < L->nroots; i++)
		if (!strcmp(L->roots[i], path))
			return i;
	return -1;
}

/* The root path lies in (path itself or below), or NULL. */
static const char *root_of(const struct wlib *L, const char *path)
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
	struct wlib *L = lib_by_handle(w, lib);

	if (!L)
		return;
	log_info("watcher.remote",
	         "library %s: %s is on %s, which inotify cannot watch; it is scanned every %lld s "
	         "instead",
	         L->id, path, fs, (long long)(w->poll_us / 1000000));
	add_poll(L, path, fs, w->now_us);
}

/* A folder changed: its scan waits for quiet. */
static void pend(struct watcher *w, struct wlib *L, const char *folder, int64_t now)
{
	if (strlen(folder) > PATH_ARG_MAX)
		return; /* the scan refuses it; the periodic scan reports it */
	switch (watch_pending_add(&w->pending, L->handle, folder, now)) {
	case WP_ADDED:
	case WP_MERGED:
		return;
	case WP_NOMEM:
		log_error("watcher.pending", "out of memory; %s waits for the next scan", folder);
		return;
	case WP_FULL:
		break;
	}
	/* too many folders at once: the library's root covers them */
	const char *root = root_of(L, folder);
	watch_pending_drop_lib(&w->pending, L->handle);
	if (root && watch_pending_add(&w->pending, L->handle, root, now) == WP_FULL)
		(void)enqueue_scan(w, L, root);
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
static void watch_dir(struct watcher *w, struct wlib *L, const char *dir, int depth, int64_t now)
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
	watch_dir(w, L, root, 0, now);
	if (!L->fallback)
		pend(w, L, root, now);
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
static void refresh(struct watcher *w, int64_t now)
{
	PGresult *r;

	w->next_refresh_us = now + (int64_t)WATCHER_REFRESH_MS * 1000;
	if (db_query(w->db, w->arena, &q_libraries, NULL, &r)) {
		db_trouble(w);
		w->next_refresh_us = now + DB_RETRY_US;
		return;
	}
	db_fine(w);
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

/* ---- events ---------------------------------------------------------------- */

/* A root (its watch) went away: deleted, moved, unmounted. Its files stay
 * as they are (a scan of an unreadable root changes nothing); it is
 * watched again once it is back. */
static void root_lost(struct watcher *w, struct wlib *L, int ri)
{
	watch_tree_remove_under(w->tree, L->handle, L->roots[ri]);
	if (!L->gone[ri])
		log_warn("watcher.root_gone",
		         "library %s: %s went away (deleted, moved or unmounted); watched again "
		         "once it is back",
		         L->id, L->roots[ri]);
	L->gone[ri] = true;
}

/* The kernel dropped events: every watched root is scanned. */
static void overflow(struct watcher *w, int64_t now)
{
	log_warn("watcher.overflow", "inotify events were lost (fs.inotify.max_queued_events); "
	                             "every watched library root is scanned");
	for (size_t i = 0; i < w->nlibs; i++) {
		struct wlib *L = w->libs[i];
		for (int k = 0; k < L->nroots && !L->fallback; k++)
			if (!L->gone[k])
				pend(w, L, L->roots[k], now);
	}
}

static int depth_below(const struct wlib *L, const char *path)
{
	const char *root = root_of(L, path);
	int depth = 0;

	for (const char *c = root ? path + strlen(root) : path; *c; c++)
		depth += *c == '/';
	return depth;
}

static void on_event(struct watcher *w, const struct inotify_event *ev, int64_t now)
{
	char dir[PATH_MAX], path[PATH_MAX];

	if (ev->mask & IN_Q_OVERFLOW) {
		overflow(w, now);
		return;
	}
	const struct watch_dir *d = watch_tree_find(w->tree, ev->wd);
	if (!d)
		return; /* a watch removed on purpose, or of a library gone */
	struct wlib *L = lib_by_handle(w, d->lib);
	int ri = L ? root_index(L, d->path) : -1;
	snprintf(dir, sizeof(dir), "%s", d->path); /* d moves when the table changes */
	if (ev->mask & IN_IGNORED) {
		watch_tree_forget(w->tree, ev->wd);
		if (ri >= 0)
			root_lost(w, L, ri);
		return;
	}
	if (!L)
		return;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
		/* below a root, the parent's event tells what happened */
		if (ri >= 0)
			root_lost(w, L, ri);
		return;
	}
	const char *name = ev->len ? ev->name : "";
	size_t nlen = strlen(name);
	if (!nlen || name[0] == '.' || !utf8_valid(name, nlen) || has_control(name, nlen))
		return;
	int n = snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return;
	if (ev->mask & IN_ISDIR) {
		if (scan_skip_dir(name))
			return;
		if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
			/* watched before its scan, so nothing made in it is missed */
			watch_dir(w, L, path, depth_below(L, path), now);
			if (!L->fallback)
				pend(w, L, path, now);
		} else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
			watch_tree_remove_under(w->tree, L->handle, path);
			pend(w, L, path, now); /* its files become missing */
		}
		return;
	}
	if (scan_skip_file(name) ||
	    !scan_is_video(name, L->custom_exts ? (const char *const *)L->exts : NULL))
		return;
	if (ev->mask & IN_CREATE) {
		/* an empty new file is a copy beginning: its IN_CLOSE_WRITE
		 * follows; one with content already is a hard link or a quick
		 * writer */
		struct stat sb;
		if (lstat(path, &sb) || (S_ISREG(sb.st_mode) && sb.st_size == 0))
			return;
	}
	pend(w, L, dir, now);
}

static void read_events(struct watcher *w)
{
	alignas(struct inotify_event) char buf[64 * 1024];
	int64_t events = 0;

	for (int round = 0; round < READS_PER_ROUND && w->tree; round++) {
		ssize_t n = read(watch_tree_fd(w->tree), buf, sizeof(buf));
		int64_t now = now_mono_us();
		if (n <= 0)
			break;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
			on_event(w, ev, now);
			events++;
			p += sizeof(*ev) + ev->len;
		}
	}
	stats_watch(events, 0);
}

/* ---- timers ------------------------------------------------------------------ */

static void flush_pending(struct watcher *w, int64_t now)
{
	struct watch_pending_entry e;

	while (watch_pending_take(&w->pending, now, &e)) {
		struct wlib *L = lib_by_handle(w, e.lib);
		enum enqueued r = L ? enqueue_scan(w, L, e.path) : ENQ_OK;
		if (r == ENQ_OK) {
			free(e.path);
			continue;
		}
		watch_pending_defer(&w->pending, &e,
		                    now + (r == ENQ_RUNNING ? w->debounce_us : DB_RETRY_US));
		if (r == ENQ_FAILED)
			break; /* the database is away: the rest waits too */
	}
}

static void run_polls(struct watcher *w, int64_t now)
{
	for (size_t i = 0; i < w->nlibs; i++) {
		struct wlib *L = w->libs[i];
		for (size_t k = 0; k < L->npolls; k++) {
			struct poll_target *p = &L->polls[k];
			if (p->next_us > now)
				continue;
			/* a scan still running is as good as a new one */
			enum enqueued r = enqueue_scan(w, L, p->path);
			p->next_us = now + (r == ENQ_FAILED ? DB_RETRY_US : w->poll_us);
		}
	}
}

static void measure(const struct watcher *w, int64_t g[G__COUNT])
{
	memset(g, 0, G__COUNT * sizeof(g[0]));
	if (!w->active)
		return;
	g[G_WATCHES] = w->tree ? (int64_t)watch_tree_count(w->tree) : 0;
	for (size_t i = 0; i < w->nlibs; i++) {
		g[G_FALLBACK] += w->libs[i]->fallback;
		for (size_t k = 0; k < w->libs[i]->npolls; k++)
			g[G_REMOTE] += w->libs[i]->polls[k].fs != NULL;
	}
}

/* The gauges, when they changed or are due anyway. */
static void write_gauges(struct watcher *w, int64_t now, bool force)
{
	int64_t g[G__COUNT];
	char names[G__COUNT * 40 + 4], vals[G__COUNT * 24 + 4];
	size_t off = 0, noff = 0;

	measure(w, g);
	if (!force && w->gauges_known && !memcmp(g, w->gauges, sizeof(g)) &&
	    now < w->next_gauges_us)
		return;
	/* names are [a-z_]: no quoting in the array literals */
	for (int i = 0; i < G__COUNT; i++) {
		noff += (size_t)snprintf(names + noff, sizeof(names) - noff, "%c%s", i ? ',' : '{',
		                         gauge_names[i]);
		off += (size_t)snprintf(vals + off, sizeof(vals) - off, "%c%lld", i ? ',' : '{',
		                        (long long)g[i]);
	}
	snprintf(names + noff, sizeof(names) - noff, "}");
	snprintf(vals + off, sizeof(vals) - off, "}");
	const char *p[] = {names, vals};
	w->next_gauges_us = now + GAUGES_EVERY_US;
	if (db_query(w->db, w->arena, &q_gauges, p, NULL)) {
		w->gauges_known = false;
		w->next_gauges_us = now + DB_RETRY_US;
		return;
	}
	memcpy(w->gauges, g, sizeof(g));
	w->gauges_known = true;
}

static int64_t next_due(const struct watcher *w)
{
	int64_t next = watch_pending_next(&w->pending);

	if (w->next_refresh_us < next)
		next = w->next_refresh_us;
	if (w->next_gauges_us < next)
		next = w->next_gauges_us;
	for (size_t i = 0; i < w->nlibs; i++)
		for (size_t k = 0; k < w->libs[i]->npolls; k++)
			if (w->libs[i]->polls[k].next_us < next)
				next = w->libs[i]->polls[k].next_us;
	return next;
}

/* ---- activity ------------------------------------------------------------------ */

static void open_inotify(struct watcher *w, int64_t now)
{
	if ((w->tree = watch_tree_new(w->max_watches)))
		return;
	log_error("watcher.inotify",
	          "inotify cannot start (%s; fs.inotify.max_user_instances?): every library is "
	          "scanned every %lld s instead; tried again every %d min",
	          strerror(errno), (long long)(w->poll_us / 1000000), WATCHER_RETRY_MS / 60000);
	w->inotify_retry_us = now + (int64_t)WATCHER_RETRY_MS * 1000;
}

static void drop_all(struct watcher *w)
{
	while (w->nlibs)
		drop_lib(w, w->nlibs - 1);
}

static void activate(struct watcher *w)
{
	int64_t now = now_mono_us();

	w->active = true;
	w->start_logged = false;
	watch_pending_init(&w->pending, WATCHER_MAX_PENDING, w->debounce_us,
	                   w->debounce_us * MAX_WAIT_FACTOR);
	open_inotify(w, now);
	w->next_refresh_us = now; /* at once: watch everything, scan every root */
	w->next_gauges_us = now;
	w->gauges_known = false;
}

static void deactivate(struct watcher *w, const char *why)
{
	drop_all(w);
	free(w->libs);
	w->libs = NULL;
	watch_tree_free(w->tree);
	w->tree = NULL;
	watch_pending_release(&w->pending);
	w->active = false;
	write_gauges(w, now_mono_us(), true); /* zeros: the next leader writes its own */
	arena_reset(w->arena);
	db_disconnect(w->db); /* a worker that does not lead needs no connection here */
	log_info("watcher.stop", "the folder watcher stops: %s", why);
}

static void log_start(struct watcher *w)
{
	int64_t g[G__COUNT];

	measure(w, g);
	log_info("watcher.start",
	         "watching %zu libraries: %lld folders watched, %lld on network mounts and %lld "
	         "libraries past the watch limit scanned every %lld s; debounce %lld ms",
	         w->nlibs, (long long)g[G_WATCHES], (long long)g[G_REMOTE],
	         (long long)g[G_FALLBACK], (long long)(w->poll_us / 1000000),
	         (long long)(w->debounce_us / 1000));
	w->start_logged = true;
}

/* One round while active: timers, then wait for events (at most 1 s). */
static void run_round(struct watcher *w)
{
	int64_t now = now_mono_us();

	if (!w->tree && now >= w->inotify_retry_us) {
		open_inotify(w, now);
		if (w->tree) {
			log_info("watcher.inotify",
			         "inotify works again: every library is watched");
			drop_all(w); /* set up again below, roots scanned */
			w->next_refresh_us = now;
		}
	}
	if (now >= w->next_refresh_us) {
		refresh(w, now);
		if (!w->start_logged && !w->db_down)
			log_start(w);
	}
	flush_pending(w, now);
	run_polls(w, now);
	write_gauges(w, now, false);

	/* until the next timer, at most 1 s (next_due may be INT64_MAX) */
	int64_t wait_us = next_due(w) - now_mono_us();
	int wait_ms = wait_us <= 0 ? 0 : wait_us >= 1000000 ? 1000 : (int)((wait_us + 999) / 1000);
	struct pollfd fds[2] = {{.fd = w->wake_fd, .events = POLLIN},
	                        {.fd = w->tree ? watch_tree_fd(w->tree) : -1, .events = POLLIN}};
	if (poll(fds, 2, wait_ms) <= 0)
		return;
	if (fds[0].revents & POLLIN) {
		uint64_t v;
		if (read(w->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			log_debug("watcher.wake", "%s", strerror(errno));
	}
	if (fds[1].revents & POLLIN)
		read_events(w);
}

static void wait_idle(struct watcher *w)
{
	struct pollfd fd = {.fd = w->wake_fd, .events = POLLIN};
	uint64_t v;

	if (poll(&fd, 1, 1000) > 0 && read(w->wake_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("watcher.wake", "%s", strerror(errno));
}

static void *watcher_main(void *arg)
{
	struct watcher *w = arg;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		bool stop = w->stop, enabled = w->enabled;
		w->debounce_us = w->debounce_ms * 1000;
		w->poll_us = w->poll_ms * 1000;
		pthread_mutex_unlock(&w->mu);
		if (stop)
			break;
		w->pending.quiet_us = w->debounce_us;
		w->pending.max_wait_us = w->debounce_us * MAX_WAIT_FACTOR;
		bool want = enabled && atomic_load(&w->leading);
		if (want && !w->active)
			activate(w);
		else if (!want && w->active)
			deactivate(w, enabled ? "this worker is no longer leader"
			                      : "library.watch is off");
		if (w->active)
			run_round(w);
		else
			wait_idle(w);
		arena_reset(w->arena);
	}
	if (w->active)
		deactivate(w, "the worker stops");
	return NULL;
}

/* ---- the API ------------------------------------------------------------------- */

static void wake(struct watcher *w)
{
	uint64_t one = 1;

	if (write(w->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_error("watcher.wake", "cannot wake the watcher: %s", strerror(errno));
}

static int64_t max_watches_from_env(void)
{
	const char *s = getenv("RV_WATCHER_MAX_WATCHES");
	int64_t v;

	if (!s || !*s)
		return -1;
	if (parse_int64(s, 0, 1000000000, &v) < 0) {
		log_warn("watcher.config", "RV_WATCHER_MAX_WATCHES must be 0..1000000000; ignored");
		return -1;
	}
	log_warn("watcher.config", "RV_WATCHER_MAX_WATCHES: at most %lld watches (a test setting)",
	         (long long)v);
	return v;
}

static void watcher_free(struct watcher *w)
{
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	db_free(w->db);
	arena_free(w->arena);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

struct watcher *watcher_start(const struct config *cfg)
{
	struct watcher *w = calloc(1, sizeof(*w));

	if (!w) {
		log_error("watcher.start", "out of memory");
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->db = db_new(cfg->database_url, (int)cfg->database_connect_timeout,
	               (int)cfg->database_statement_timeout);
	w->arena = arena_new(16 * 1024, 16 * 1024 * 1024);
	w->max_watches = max_watches_from_env();
	w->enabled = cfg->library_watch;
	w->debounce_ms = cfg->library_watch_debounce;
	w->poll_ms = cfg->library_poll_interval;
	watch_pending_init(&w->pending, WATCHER_MAX_PENDING, w->debounce_ms * 1000,
	                   w->debounce_ms * 1000 * MAX_WAIT_FACTOR);
	if (w->wake_fd < 0 || !w->db || !w->arena) {
		log_error("watcher.start", "out of memory or descriptors");
		watcher_free(w);
		return NULL;
	}
	if (pthread_create(&w->thread, NULL, watcher_main, w)) {
		log_error("watcher.start", "cannot start the watcher thread");
		watcher_free(w);
		return NULL;
	}
	return w;
}

void watcher_configure(struct watcher *w, const struct config *cfg)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->enabled = cfg->library_watch;
	w->debounce_ms = cfg->library_watch_debounce;
	w->poll_ms = cfg->library_poll_interval;
	pthread_mutex_unlock(&w->mu);
	wake(w);
}

void watcher_set_leading(struct watcher *w, bool leading)
{
	if (w && atomic_exchange(&w->leading, leading) != leading)
		wake(w);
}

void watcher_stop(struct watcher *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_mutex_unlock(&w->mu);
	wake(w);
	pthread_join(w->thread, NULL);
	watch_pending_release(&w->pending);
	watcher_free(w);
}

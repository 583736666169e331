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
#include "watcher_int.h"

#define PATH_ARG_MAX 4096  /* the longest path library.scan_path accepts */
#define MAX_WAIT_FACTOR 30 /* a folder never quiet is scanned after 30 debounces */
#define GAUGES_EVERY_US (30LL * 1000 * 1000)
#define READS_PER_ROUND 16
#define SCAN_ATTEMPTS 5

static const struct db_stmt q_job_state = {
    "watcher_job_state", "SELECT state::text FROM jobs WHERE id = $1::bigint", 1, true};

/* job_counters rows, in the order of enum gauge */
static const char *const gauge_names[G__COUNT] = {"watcher_watches", "watcher_fallback_libraries",
                                                  "watcher_remote_folders"};

/* One watcher writes these, so a gauge is set, not added to. */
static const struct db_stmt q_gauges = {
    "watcher_gauges",
    "INSERT INTO job_counters (name, value) SELECT * FROM unnest($1::text[], $2::bigint[])"
    " ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
    2, false};

/* ---- database ------------------------------------------------------------ */

void watcher_db_trouble(struct watcher *w)
{
	if (!w->db_down)
		log_warn("watcher.db", "database unreachable; folder scans wait until it answers");
	w->db_down = true;
}

void watcher_db_fine(struct watcher *w)
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
		watcher_db_trouble(w);
		return ENQ_FAILED;
	}
	if (e) {
		log_warn("watcher.enqueue", "library %s: no scan of %s (%s)", L->id, path,
		         app_err_slug(e));
		return ENQ_OK; /* it would fail again the same way */
	}
	watcher_db_fine(w);
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

void watcher_pend(struct watcher *w, struct wlib *L, const char *folder, int64_t now)
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
	const char *root = watcher_root_of(L, folder);
	watch_pending_drop_lib(&w->pending, L->handle);
	if (root && watch_pending_add(&w->pending, L->handle, root, now) == WP_FULL)
		(void)enqueue_scan(w, L, root);
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
				watcher_pend(w, L, L->roots[k], now);
	}
}

static int depth_below(const struct wlib *L, const char *path)
{
	const char *root = watcher_root_of(L, path);
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
	struct wlib *L = watcher_lib(w, d->lib);
	int ri = L ? watcher_root_index(L, d->path) : -1;
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
			watcher_watch_dir(w, L, path, depth_below(L, path), now);
			if (!L->fallback)
				watcher_pend(w, L, path, now);
		} else if (ev->mask & (IN_DELETE | IN_MOVED_FROM)) {
			watch_tree_remove_under(w->tree, L->handle, path);
			watcher_pend(w, L, path, now); /* its files become missing */
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
	watcher_pend(w, L, dir, now);
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
		struct wlib *L = watcher_lib(w, e.lib);
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
	watcher_drop_all(w);
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
			watcher_drop_all(w); /* set up again below, roots scanned */
			w->next_refresh_us = now;
		}
	}
	if (now >= w->next_refresh_us) {
		watcher_refresh(w, now);
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

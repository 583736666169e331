#include "library/scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "jobs/jobs.h"
#include "library/nfo.h"
#include "library/parse.h"
#include "library/probe.h"

#define MAX_ROOTS 16
#define MAX_EXTS 32
#define MAX_EXCLUDES 64
#define ERRORS_KEPT 100
#define MAX_DEPTH 32

static const char *const default_exts[] = {"mp4", "mkv", "avi",  "mov", "wmv", "flv",
					   "webm", "m4v", "mpg", "mpeg", "3gp", "ts",
					   "m2ts", "vob", "ogv", NULL};

int scan_type_parse(const char *s)
{
	if (!s)
		return -1;
	if (!strcmp(s, "incremental"))
		return SCAN_INCREMENTAL;
	if (!strcmp(s, "full"))
		return SCAN_FULL;
	if (!strcmp(s, "metadata"))
		return SCAN_METADATA;
	return -1;
}

static const char *ext_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot && dot != name ? dot + 1 : NULL;
}

bool scan_is_video(const char *name, const char *const *exts)
{
	const char *e = ext_of(name);

	if (!e || strlen(e) > 8)
		return false;
	for (const char *const *x = exts ? exts : default_exts; *x; x++)
		if (ascii_ieq(e, *x))
			return true;
	return false;
}

bool scan_skip_dir(const char *name)
{
	static const char *const skip[] = {
	    "sample",  "samples",          "extras",         "extra",        "featurettes",
	    "trailers", "behind the scenes", "deleted scenes", "interviews",  "shorts",
	    "scenes",  "other",            "@eadir",         "#recycle",     "lost+found",
	    "$recycle.bin", "system volume information", NULL};

	if (name[0] == '.')
		return true;
	for (int i = 0; skip[i]; i++)
		if (ascii_ieq(name, skip[i]))
			return true;
	return false;
}

/* "-sample.mkv", ".sample.mkv", "sample.mkv", "-trailer.mkv" */
bool scan_skip_file(const char *name)
{
	static const char *const tails[] = {"sample", "trailer", "featurette", "behindthescenes",
					    "deleted", "interview", "scene", "short", "extra", NULL};
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);

	if (name[0] == '.')
		return true;
	for (int i = 0; tails[i]; i++) {
		size_t n = strlen(tails[i]);
		if (stem < n)
			continue;
		if (strncasecmp(name + stem - n, tails[i], n))
			continue;
		if (stem == n)
			return true;
		char sep = name[stem - n - 1];
		if (sep == '-' || sep == '.' || sep == '_')
			return true;
	}
	return false;
}

/* --- what the database knows ------------------------------------------- */

struct known {
	PGresult *rows; /* path, id, size, mtime_ns, missing, missing_ms */
	int n;
	int *slots; /* open addressing: row index + 1, 0 = empty */
	size_t nslots;
	unsigned char *seen;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int known_build(struct known *k)
{
	k->nslots = 16;
	while (k->nslots < (size_t)k->n * 2)
		k->nslots <<= 1;
	k->slots = calloc(k->nslots, sizeof(int));
	k->seen = calloc((size_t)k->n + 1, 1);
	if (!k->slots || !k->seen)
		return -1;
	for (int i = 0; i < k->n; i++) {
		size_t s = hash_str(PQgetvalue(k->rows, i, 0)) & (k->nslots - 1);
		while (k->slots[s])
			s = (s + 1) & (k->nslots - 1);
		k->slots[s] = i + 1;
	}
	return 0;
}

static int known_find(const struct known *k, const char *path)
{
	size_t s = hash_str(path) & (k->nslots - 1);
	for (; k->slots[s]; s = (s + 1) & (k->nslots - 1))
		if (!strcmp(PQgetvalue(k->rows, k->slots[s] - 1, 0), path))
			return k->slots[s] - 1;
	return -1;
}

static void known_release(struct known *k)
{
	free(k->slots);
	free(k->seen);
}

/* --- statements ---------------------------------------------------------- */

static const struct db_stmt q_library = {
    "scan_library",
    "SELECT type, array_to_json(paths)::text, coalesce(array_to_json(extensions)::text, 'null'),"
    " array_to_json(exclude_patterns)::text, enabled FROM libraries WHERE id = $1",
    1, true};
static const struct db_stmt q_start = {
    "scan_start",
    "UPDATE library_scans SET status = 'running', started_at = coalesce(started_at, now())"
    " WHERE id = $1 AND library_id = $2 AND status IN ('queued', 'running') RETURNING id",
    2, false};
static const struct db_stmt q_known = {
    "scan_known",
    "SELECT path, id, size, mtime_ns, state = 'missing',"
    " coalesce((extract(epoch FROM now() - missing_since) * 1000)::bigint, 0)"
    " FROM media_files WHERE library_id = $1",
    1, true};
static const struct db_stmt q_progress = {
    "scan_progress",
    "UPDATE library_scans SET files_seen = $2, files_added = $3, files_changed = $4,"
    " files_unchanged = $5, error_count = $6, errors = $7::jsonb, dirs_walked = $8"
    " WHERE id = $1",
    8, false};
static const struct db_stmt q_finish = {
    "scan_finish",
    "UPDATE library_scans SET status = $2, files_seen = $3, files_added = $4,"
    " files_changed = $5, files_unchanged = $6, files_missing = $7, files_removed = $8,"
    " error_count = $9, errors = $10::jsonb, dirs_walked = $11, message = $12,"
    " finished_at = now(), duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint"
    " WHERE id = $1",
    12, false};
static const struct db_stmt q_last_scan = {
    "scan_last_scan", "UPDATE libraries SET last_scan_at = now() WHERE id = $1", 1, false};
static const struct db_stmt q_mark_missing = {
    "scan_mark_missing",
    "UPDATE media_files SET state = 'missing', missing_since = now(), updated_at = now()"
    " WHERE library_id = $1 AND id = ANY($2::uuid[]) AND state = 'present'",
    2, false};
static const struct db_stmt q_present = {
    "scan_present",
    "UPDATE media_files SET state = 'present', missing_since = NULL, updated_at = now()"
    " WHERE library_id = $1 AND id = ANY($2::uuid[])",
    2, false};
static const struct db_stmt q_remove = {
    "scan_remove",
    "DELETE FROM media_files WHERE library_id = $1 AND id = ANY($2::uuid[]) AND state = 'missing'",
    2, false};
/* items left without any file, present or missing */
static const struct db_stmt q_orphans_movies = {
    "scan_orphan_movies",
    "DELETE FROM movies m WHERE library_id = $1"
    " AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.movie_id = m.id)",
    1, false};
static const struct db_stmt q_orphans_series = {
    "scan_orphan_series",
    "DELETE FROM series s WHERE library_id = $1"
    " AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.series_id = s.id)",
    1, false};
static const struct db_stmt q_refresh_all = {
    "scan_refresh_all",
    "INSERT INTO jobs (kind, args, priority, request_id)"
    " SELECT 'library.match', jsonb_build_object('file_id', id, 'refresh', true), 3, $2"
    " FROM media_files WHERE library_id = $1 AND state = 'present' AND match_status <> 'manual'",
    2, false};

/* The upsert of one batch: x is a JSON array of file objects. */
static const struct db_stmt q_upsert = {
    "scan_upsert",
    "INSERT INTO media_files AS f (library_id, path, rel_path, size, mtime_ns, parsed, nfo,"
    " sidecars, probe, probe_error, container, duration_ms, bit_rate, video_codec, width, height,"
    " frame_rate, dynamic_range, audio_channels, audio_languages, subtitle_languages, last_scan_id)"
    " SELECT $1, x.path, x.rel_path, x.size, x.mtime_ns, x.parsed, x.nfo,"
    " coalesce(x.sidecars, '{}'), x.probe, x.probe_error, x.probe->>'container',"
    " (x.probe->>'duration_ms')::bigint, (x.probe->>'bit_rate')::bigint,"
    " x.probe->'video'->>'codec', (x.probe->'video'->>'width')::int,"
    " (x.probe->'video'->>'height')::int, (x.probe->'video'->>'fps')::float8,"
    " CASE WHEN x.probe->'video' IS NULL OR jsonb_typeof(x.probe->'video') = 'null' THEN NULL"
    "      ELSE coalesce(x.probe->'video'->>'hdr', 'SDR') END,"
    " (SELECT max((a->>'channels')::int) FROM jsonb_array_elements("
    "   CASE WHEN jsonb_typeof(x.probe->'audio') = 'array' THEN x.probe->'audio' ELSE '[]' END) a),"
    " ARRAY(SELECT DISTINCT a->>'language' FROM jsonb_array_elements("
    "   CASE WHEN jsonb_typeof(x.probe->'audio') = 'array' THEN x.probe->'audio' ELSE '[]' END) a"
    "   WHERE a->>'language' IS NOT NULL ORDER BY 1),"
    " ARRAY(SELECT DISTINCT l FROM (SELECT s->>'language' AS l FROM jsonb_array_elements("
    "   CASE WHEN jsonb_typeof(x.probe->'subtitles') = 'array' THEN x.probe->'subtitles' ELSE '[]' END) s"
    "   UNION SELECT s->>'language' FROM jsonb_array_elements(coalesce(x.sidecars->'subtitles', '[]')) s) u"
    "   WHERE l IS NOT NULL ORDER BY 1),"
    " $2"
    " FROM jsonb_to_recordset($3::jsonb) AS x(path text, rel_path text, size bigint,"
    "  mtime_ns bigint, parsed jsonb, nfo jsonb, sidecars jsonb, probe jsonb, probe_error text)"
    " ON CONFLICT (library_id, path) DO UPDATE SET rel_path = EXCLUDED.rel_path,"
    " size = EXCLUDED.size, mtime_ns = EXCLUDED.mtime_ns, state = 'present', missing_since = NULL,"
    " parsed = EXCLUDED.parsed, nfo = EXCLUDED.nfo, sidecars = EXCLUDED.sidecars,"
    " probe = EXCLUDED.probe, probe_error = EXCLUDED.probe_error, container = EXCLUDED.container,"
    " duration_ms = EXCLUDED.duration_ms, bit_rate = EXCLUDED.bit_rate,"
    " video_codec = EXCLUDED.video_codec, width = EXCLUDED.width, height = EXCLUDED.height,"
    " frame_rate = EXCLUDED.frame_rate, dynamic_range = EXCLUDED.dynamic_range,"
    " audio_channels = EXCLUDED.audio_channels, audio_languages = EXCLUDED.audio_languages,"
    " subtitle_languages = EXCLUDED.subtitle_languages, last_scan_id = EXCLUDED.last_scan_id,"
    " updated_at = now()"
    " RETURNING id",
    3, false};

/* --- the walk ------------------------------------------------------------ */

struct item {
	char *path, *rel;
	int64_t size, mtime_ns;
	char *parsed, *nfo, *sidecars; /* JSON texts (malloc'd); nfo may be NULL */
	struct probe_result probe;
	char probe_err[160];
	enum app_err probe_rc;
	bool is_new;
};

struct scan {
	struct db *db;
	struct arena *a;
	const struct scan_opts *o;
	struct scan_stats *st;
	bool tv;
	const char *exts[MAX_EXTS + 1];
	bool custom_exts;
	const char *excludes[MAX_EXCLUDES + 1];
	struct known known;
	struct item *batch;
	int nbatch;
	struct buf errors; /* JSON array body of the first errors */
	int errors_kept;
	struct buf present_ids; /* "{uuid,uuid}" of returning unchanged files */
	bool stopped;
	bool db_failed;
	/* the tvshow.nfo of the directory seen last (tvshow_for) */
	char tv_dir[PATH_MAX];
	bool tv_dir_set;
	char *tv_nfo;
	char root[PATH_MAX];
	size_t rootlen;
};

static void record_error(struct scan *s, const char *path, const char *what)
{
	s->st->errors++;
	log_warn("scan.entry", "%s: %s", what, path);
	if (s->errors_kept >= ERRORS_KEPT)
		return;
	struct jw w;
	if (s->errors_kept)
		buf_putc(&s->errors, ',');
	jw_init(&w, &s->errors);
	jw_obj_open(&w);
	/* a name that is not UTF-8 is shown with its bad bytes replaced */
	if (utf8_valid(path, strlen(path))) {
		jw_kstr(&w, "path", path);
	} else {
		char safe[PATH_MAX];
		size_t i;
		for (i = 0; i < sizeof(safe) - 1 && path[i]; i++)
			safe[i] = (unsigned char)path[i] < 0x80 && (unsigned char)path[i] >= 0x20
					  ? path[i]
					  : '?';
		safe[i] = 0;
		jw_kstr(&w, "path", safe);
	}
	jw_kstr(&w, "error", what);
	jw_obj_close(&w);
	s->errors_kept++;
}

/* dir + "/" + name into out; false when it does not fit. */
static bool join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n >= 0 && (size_t)n < cap;
}

static bool stop_now(struct scan *s)
{
	if (!s->stopped && s->o->should_stop && s->o->should_stop(s->o->stop_arg))
		s->stopped = true;
	return s->stopped || s->db_failed;
}

static bool excluded(const struct scan *s, const char *rel, const char *name)
{
	for (int i = 0; s->excludes[i]; i++)
		if (!fnmatch(s->excludes[i], name, FNM_CASEFOLD) ||
		    !fnmatch(s->excludes[i], rel, FNM_CASEFOLD))
			return true;
	return false;
}

static char *read_small(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct stat sb;
	char *p = NULL;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode) || sb.st_size < 0 || (size_t)sb.st_size > max)
		goto out;
	if (!(p = malloc((size_t)sb.st_size + 1)))
		goto out;
	ssize_t r = read(fd, p, (size_t)sb.st_size);
	if (r < 0) {
		free(p);
		p = NULL;
		goto out;
	}
	p[r] = 0;
	*len = (size_t)r;
out:
	close(fd);
	return p;
}

/* The NFO at path as JSON text (malloc'd), or NULL when absent/unusable. */
static char *nfo_text(struct scan *s, const char *path, bool report)
{
	size_t len = 0;
	char *text = read_small(path, NFO_INPUT_MAX, &len), *out = NULL;
	struct nfo *n;
	char why[160];

	if (!text)
		return NULL;
	if (!(n = malloc(sizeof(*n))))
		goto out;
	if (nfo_parse(text, len, n, why, sizeof(why)) == APP_OK) {
		struct buf b;
		struct jw w;
		buf_init(&b, 64 * 1024);
		jw_init(&w, &b);
		nfo_json(n, &w);
		if (buf_ok(&b))
			out = buf_detach(&b, NULL);
		buf_release(&b);
	} else if (report) {
		char msg[200];
		snprintf(msg, sizeof(msg), "malformed NFO: %s", why);
		record_error(s, path, msg);
	}
	free(n);
out:
	free(text);
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool has_ext(const char *name, const char *const *list)
{
	const char *e = ext_of(name);
	if (!e)
		return false;
	for (; *list; list++)
		if (ascii_ieq(e, *list))
			return true;
	return false;
}

/* The series folder's tvshow.nfo as JSON: in dir, or one or two folders
 * up (not above the root). Read once per directory: every episode of a
 * season folder shares the answer. NULL when there is none. */
static const char *tvshow_for(struct scan *s, const char *dir)
{
	char up[PATH_MAX], path[PATH_MAX];

	if (s->tv_dir_set && !strcmp(s->tv_dir, dir))
		return s->tv_nfo;
	free(s->tv_nfo);
	s->tv_nfo = NULL;
	snprintf(s->tv_dir, sizeof(s->tv_dir), "%s", dir);
	s->tv_dir_set = true;
	snprintf(up, sizeof(up), "%s", dir);
	for (int lvl = 0; lvl < 3 && strlen(up) >= s->rootlen; lvl++) {
		if (join(path, sizeof(path), up, "tvshow.nfo") &&
		    (s->tv_nfo = nfo_text(s, path, lvl == 0)))
			break;
		char *slash = strrchr(up, '/');
		if (!slash || (size_t)(slash - up) < s->rootlen)
			break;
		*slash = 0;
	}
	return s->tv_nfo;
}

/* Sidecars of the video `name` among the directory's entries, as JSON. */
static char *sidecars_json(struct scan *s, const char *dir, const char *name, char **names,
			   int n, char **nfo_out)
{
	static const char *const subs[] = {"srt", "ass", "ssa", "vtt", "sub", NULL};
	static const char *const imgs[] = {"jpg", "jpeg", "png", "webp", NULL};
	static const char *const folder_imgs[] = {"poster", "folder", "cover", "fanart",
						  "backdrop", "banner", "logo", "thumb", NULL};
	const char *dot = strrchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);
	char path[PATH_MAX];
	struct buf b;
	struct jw w;
	const char *nfo_name = NULL;

	buf_init(&b, 256 * 1024);
	jw_init(&w, &b);
	jw_obj_open(&w);
	jw_key(&w, "subtitles");
	jw_arr_open(&w);
	for (int i = 0; i < n; i++) {
		const char *o = names[i];
		if (strncmp(o, name, stem) || o[stem] != '.' || !has_ext(o, subs))
			continue;
		/* "Movie.en.forced.srt": the parts between stem and extension */
		const char *mid = o + stem + 1, *end = strrchr(o, '.');
		char lang[8] = "";
		bool forced = false;
		while (mid < end) {
			const char *q = memchr(mid, '.', (size_t)(end - mid));
			size_t len = q ? (size_t)(q - mid) : (size_t)(end - mid);
			if ((len == 2 || len == 3) && !lang[0]) {
				for (size_t k = 0; k < len; k++)
					lang[k] = (char)(mid[k] | 0x20);
				lang[len] = 0;
			} else if (len == 6 && !strncasecmp(mid, "forced", 6)) {
				forced = true;
			}
			mid += len + 1;
		}
		jw_obj_open(&w);
		jw_kstr(&w, "file", o);
		if (lang[0])
			jw_kstr(&w, "language", lang);
		else
			jw_knull(&w, "language");
		jw_kbool(&w, "forced", forced);
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	jw_key(&w, "images");
	jw_arr_open(&w);
	for (int i = 0; i < n; i++) {
		const char *o = names[i];
		const char *odot = strrchr(o, '.');
		size_t ostem = odot ? (size_t)(odot - o) : strlen(o);
		bool mine = !strncmp(o, name, stem) && (o[stem] == '-' || o[stem] == '.') &&
			    has_ext(o, imgs);
		bool folder = false;
		for (int k = 0; !mine && folder_imgs[k]; k++)
			if (ostem == strlen(folder_imgs[k]) && !strncasecmp(o, folder_imgs[k], ostem) &&
			    has_ext(o, imgs))
				folder = true;
		if (mine || folder)
			jw_str(&w, o);
	}
	jw_arr_close(&w);
	/* "Movie.nfo", else the folder's "movie.nfo" */
	for (int i = 0; i < n && !nfo_name; i++)
		if (!strncmp(names[i], name, stem) && names[i][stem] == '.' &&
		    ascii_ieq(names[i] + stem + 1, "nfo"))
			nfo_name = names[i];
	for (int i = 0; i < n && !nfo_name && !s->tv; i++)
		if (ascii_ieq(names[i], "movie.nfo"))
			nfo_name = names[i];
	if (nfo_name) {
		jw_kstr(&w, "nfo", nfo_name);
		if (join(path, sizeof(path), dir, nfo_name))
			*nfo_out = nfo_text(s, path, true);
	}
	const char *tvshow = s->tv ? tvshow_for(s, dir) : NULL;
	if (tvshow) {
		jw_key(&w, "tvshow");
		jw_raw(&w, tvshow, strlen(tvshow));
	}
	jw_obj_close(&w);
	char *out = buf_ok(&b) ? buf_detach(&b, NULL) : NULL;
	buf_release(&b);
	return out;
}

static void item_release(struct item *it)
{
	free(it->path);
	free(it->parsed);
	free(it->nfo);
	free(it->sidecars);
	memset(it, 0, sizeof(*it));
}

/* --- probing in parallel --------------------------------------------------- */

struct probe_work {
	struct item *items;
	int n;
	int next; /* [mu] */
	pthread_mutex_t mu;
};

static void *probe_thread(void *arg)
{
	struct probe_work *pw = arg;
	for (;;) {
		pthread_mutex_lock(&pw->mu);
		int i = pw->next++;
		pthread_mutex_unlock(&pw->mu);
		if (i >= pw->n)
			return NULL;
		struct item *it = &pw->items[i];
		it->probe_rc = probe_file(it->path, &it->probe, it->probe_err, sizeof(it->probe_err));
	}
}

static void probe_batch(struct scan *s)
{
	struct probe_work pw = {s->batch, s->nbatch, 0, PTHREAD_MUTEX_INITIALIZER};
	pthread_t th[8];
	int nt = s->o->threads < 1 ? 1 : s->o->threads > 8 ? 8 : s->o->threads, started = 0;

	if (nt > s->nbatch)
		nt = s->nbatch;
	for (int i = 1; i < nt; i++)
		if (!pthread_create(&th[started], NULL, probe_thread, &pw))
			started++;
	probe_thread(&pw);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

/* --- writing ------------------------------------------------------------- */

static void progress_params(struct scan *s, char num[][24], const char **p)
{
	const int64_t v[] = {s->st->seen, s->st->added, s->st->changed, s->st->unchanged,
			     s->st->errors};
	for (int i = 0; i < 5; i++) {
		snprintf(num[i], 24, "%lld", (long long)v[i]);
		p[i] = num[i];
	}
}

static char *errors_text(struct scan *s)
{
	return arena_printf(s->a, "[%.*s]", (int)s->errors.len, s->errors.data ? s->errors.data : "");
}

static enum app_err write_progress(struct scan *s)
{
	char id[24], num[6][24], dirs[24];
	const char *p[8];

	snprintf(id, sizeof(id), "%lld", (long long)s->o->scan_id);
	snprintf(dirs, sizeof(dirs), "%lld", (long long)s->st->dirs);
	p[0] = id;
	progress_params(s, num, p + 1);
	p[6] = errors_text(s);
	p[7] = dirs;
	return db_query(s->db, s->a, &q_progress, p, NULL);
}

/* Probe, upsert and enqueue the batch in one transaction. */
static enum app_err flush_batch(struct scan *s)
{
	struct buf b;
	struct jw w;
	enum app_err e;
	PGresult *r = NULL;
	char sid[24];

	if (!s->nbatch)
		return APP_OK;
	probe_batch(s);
	buf_init(&b, 256u * 1024 * 1024);
	jw_init(&w, &b);
	jw_arr_open(&w);
	for (int i = 0; i < s->nbatch; i++) {
		struct item *it = &s->batch[i];
		jw_obj_open(&w);
		jw_kstr(&w, "path", it->path);
		jw_kstr(&w, "rel_path", it->rel);
		jw_kint(&w, "size", it->size);
		jw_kint(&w, "mtime_ns", it->mtime_ns);
		jw_key(&w, "parsed");
		jw_raw(&w, it->parsed, strlen(it->parsed));
		if (it->nfo) {
			jw_key(&w, "nfo");
			jw_raw(&w, it->nfo, strlen(it->nfo));
		}
		if (it->sidecars) {
			jw_key(&w, "sidecars");
			jw_raw(&w, it->sidecars, strlen(it->sidecars));
		}
		if (it->probe_rc == APP_OK) {
			jw_key(&w, "probe");
			probe_json(&it->probe, &w);
		} else {
			jw_kstr(&w, "probe_error", it->probe_err[0] ? it->probe_err : "probe failed");
			record_error(s, it->path, it->probe_err[0] ? it->probe_err : "probe failed");
		}
		jw_obj_close(&w);
	}
	jw_arr_close(&w);
	if (!buf_ok(&b)) {
		buf_release(&b);
		return APP_ERR_NOMEM;
	}
	snprintf(sid, sizeof(sid), "%lld", (long long)s->o->scan_id);
	const char *p[] = {s->o->library_id, sid, b.data};
	if ((e = db_begin(s->db)))
		goto out;
	if ((e = db_query(s->db, s->a, &q_upsert, p, &r)))
		goto fail;
	/* one match job per new or changed file */
	int n = PQntuples(r);
	struct job_spec *specs = arena_calloc(s->a, (size_t)n + 1, sizeof(*specs));
	if (!specs) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	for (int i = 0; i < n; i++) {
		specs[i].kind = "library.match";
		specs[i].args = arena_printf(s->a, "{\"file_id\":\"%s\"}", PQgetvalue(r, i, 0));
		specs[i].priority = JOB_DEFAULT;
		specs[i].request_id = s->o->request_id;
	}
	if (n && (e = job_enqueue_bulk(s->db, s->a, specs, (size_t)n, NULL)))
		goto fail;
	if ((e = write_progress(s)))
		goto fail;
	if ((e = db_commit(s->db)))
		goto out;
	goto out;
fail:
	db_rollback(s->db);
out:
	buf_release(&b);
	for (int i = 0; i < s->nbatch; i++)
		item_release(&s->batch[i]);
	s->nbatch = 0;
	if (e)
		s->db_failed = true;
	return e;
}

static void add_video(struct scan *s, const char *dir, const char *name, const struct stat *sb,
		      char **names, int n)
{
	char path[PATH_MAX];
	bool fits = join(path, sizeof(path), dir, name);
	int64_t mtime = (int64_t)sb->st_mtim.tv_sec * 1000000000LL + sb->st_mtim.tv_nsec;
	int row;

	if (!fits) {
		record_error(s, dir, "path too long");
		return;
	}
	s->st->seen++;
	row = known_find(&s->known, path);
	if (row >= 0) {
		s->known.seen[row] = 1;
		bool same = strtoll(PQgetvalue(s->known.rows, row, 2), NULL, 10) == sb->st_size &&
			    strtoll(PQgetvalue(s->known.rows, row, 3), NULL, 10) == mtime;
		if (same && s->o->type != SCAN_FULL) {
			s->st->unchanged++;
			if (PQgetvalue(s->known.rows, row, 4)[0] == 't') {
				/* back after being missing: only its state changes */
				if (s->present_ids.len)
					buf_putc(&s->present_ids, ',');
				buf_puts(&s->present_ids, PQgetvalue(s->known.rows, row, 1));
			}
			return;
		}
		s->st->changed++;
	} else {
		s->st->added++;
	}
	struct item *it = &s->batch[s->nbatch];
	struct parsed_name pn;
	struct buf pb;
	struct jw w;

	memset(it, 0, sizeof(*it));
	it->is_new = row < 0;
	it->path = strdup(path);
	it->rel = it->path ? it->path + s->rootlen + 1 : NULL;
	it->size = sb->st_size;
	it->mtime_ns = mtime;
	name_parse(it->rel ? it->rel : name, &pn);
	buf_init(&pb, 16 * 1024);
	jw_init(&w, &pb);
	name_parse_json(&pn, &w);
	it->parsed = buf_ok(&pb) ? buf_detach(&pb, NULL) : NULL;
	buf_release(&pb);
	it->sidecars = sidecars_json(s, dir, name, names, n, &it->nfo);
	if (!it->path || !it->parsed || !it->sidecars) {
		record_error(s, path, "out of memory");
		item_release(it);
		return;
	}
	if (++s->nbatch >= s->o->batch)
		flush_batch(s);
}

/* Whether the symlink at path resolves inside the current root. */
static bool link_inside(const struct scan *s, const char *path)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		return false;
	return !strncmp(real, s->root, s->rootlen) && (real[s->rootlen] == '/' || !real[s->rootlen]);
}

static void walk_dir(struct scan *s, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	int n = 0, cap = 0;

	if (stop_now(s))
		return;
	if (depth > MAX_DEPTH) {
		record_error(s, dir, "directory nesting too deep");
		return;
	}
	if (!(d = opendir(dir))) {
		record_error(s, dir, errno == ENOENT ? "directory vanished during the scan"
						     : "directory cannot be read");
		return;
	}
	s->st->dirs++;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			char **nn = realloc(names, (size_t)cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		if (!(names[n] = strdup(de->d_name)))
			break;
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(*names), cmp_str);

	for (int i = 0; i < n && !stop_now(s); i++) {
		const char *name = names[i];
		char path[PATH_MAX];
		struct stat sb;

		if (!join(path, sizeof(path), dir, name)) {
			record_error(s, dir, "path too long");
			continue;
		}
		if (name[0] == '.')
			continue;
		if (lstat(path, &sb)) {
			if (errno == ENOENT)
				record_error(s, path, "file vanished during the scan");
			else
				record_error(s, path, "cannot be read");
			continue;
		}
		if (S_ISLNK(sb.st_mode)) {
			if (!link_inside(s, path) || stat(path, &sb)) {
				record_error(s, path, "symlink leaves the library root");
				continue;
			}
			/* a directory link inside the root adds nothing the walk does
			 * not reach by the real path, and could make a loop */
			if (S_ISDIR(sb.st_mode))
				continue;
		}
		bool is_dir = S_ISDIR(sb.st_mode);
		if (!is_dir && !S_ISREG(sb.st_mode))
			continue;
		if (is_dir ? scan_skip_dir(name) : !scan_is_video(name, s->custom_exts ? s->exts : NULL))
			continue;
		if (!utf8_valid(name, strlen(name)) || has_control(name, strlen(name))) {
			record_error(s, path, "name is not valid UTF-8");
			continue;
		}
		if (excluded(s, path + s->rootlen + 1, name))
			continue;
		if (is_dir) {
			walk_dir(s, path, depth + 1);
			continue;
		}
		if (scan_skip_file(name))
			continue;
		add_video(s, dir, name, &sb, names, n);
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* --- after the walk ------------------------------------------------------ */

static bool under(const char *path, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(path, root, n) && path[n] == '/';
}

/* Mark vanished files missing and remove those missing past the grace. */
static enum app_err settle_unseen(struct scan *s, char roots[][PATH_MAX], const bool *root_ok,
				  int nroots)
{
	struct buf miss, gone;
	enum app_err e = APP_OK;

	buf_init(&miss, 64u * 1024 * 1024);
	buf_init(&gone, 64u * 1024 * 1024);
	buf_putc(&miss, '{');
	buf_putc(&gone, '{');
	for (int i = 0; i < s->known.n; i++) {
		const char *path = PQgetvalue(s->known.rows, i, 0);
		bool readable = false;
		if (s->known.seen[i])
			continue;
		for (int r = 0; r < nroots; r++)
			if (root_ok[r] && under(path, roots[r]))
				readable = true;
		/* a file outside every current root (the library's paths changed)
		 * counts as vanished too */
		bool in_any = false;
		for (int r = 0; r < nroots; r++)
			if (under(path, roots[r]))
				in_any = true;
		if (in_any && !readable)
			continue; /* its root is unreadable now: leave it alone */
		bool missing = PQgetvalue(s->known.rows, i, 4)[0] == 't';
		int64_t ms = strtoll(PQgetvalue(s->known.rows, i, 5), NULL, 10);
		if (!missing) {
			if (miss.len > 1)
				buf_putc(&miss, ',');
			buf_puts(&miss, PQgetvalue(s->known.rows, i, 1));
			s->st->missing++;
		} else if (ms >= s->o->grace_ms) {
			if (gone.len > 1)
				buf_putc(&gone, ',');
			buf_puts(&gone, PQgetvalue(s->known.rows, i, 1));
			s->st->removed++;
		} else {
			s->st->missing++;
		}
	}
	buf_putc(&miss, '}');
	buf_putc(&gone, '}');
	if (!buf_ok(&miss) || !buf_ok(&gone)) {
		e = APP_ERR_NOMEM;
		goto out;
	}
	const char *pm[] = {s->o->library_id, miss.data};
	const char *pg[] = {s->o->library_id, gone.data};
	const char *pl[] = {s->o->library_id};
	if ((e = db_begin(s->db)))
		goto out;
	if ((miss.len > 2 && (e = db_query(s->db, s->a, &q_mark_missing, pm, NULL))) ||
	    (gone.len > 2 && (e = db_query(s->db, s->a, &q_remove, pg, NULL))) ||
	    (gone.len > 2 && (e = db_query(s->db, s->a, &q_orphans_movies, pl, NULL))) ||
	    (gone.len > 2 && (e = db_query(s->db, s->a, &q_orphans_series, pl, NULL)))) {
		db_rollback(s->db);
		goto out;
	}
	e = db_commit(s->db);
out:
	buf_release(&miss);
	buf_release(&gone);
	return e;
}

static enum app_err finish(struct scan *s, const char *status, const char *message)
{
	char id[24], num[5][24], miss[24], rem[24], dirs[24];
	const char *p[12];

	snprintf(id, sizeof(id), "%lld", (long long)s->o->scan_id);
	snprintf(miss, sizeof(miss), "%lld", (long long)s->st->missing);
	snprintf(rem, sizeof(rem), "%lld", (long long)s->st->removed);
	snprintf(dirs, sizeof(dirs), "%lld", (long long)s->st->dirs);
	p[0] = id;
	p[1] = status;
	progress_params(s, num, p + 2);
	/* progress_params wrote seen..errors into p[2..6]; reorder for q_finish */
	const char *errcount = p[6];
	p[6] = miss;
	p[7] = rem;
	p[8] = errcount;
	p[9] = errors_text(s);
	p[10] = dirs;
	p[11] = message;
	enum app_err e = db_query(s->db, s->a, &q_finish, p, NULL);
	const char *pl[] = {s->o->library_id};
	if (!e && !strcmp(status, "completed"))
		e = db_query(s->db, s->a, &q_last_scan, pl, NULL);
	return e;
}

static int parse_list(struct arena *a, const char *json, const char **out, int max)
{
	cJSON *arr = cJSON_Parse(json);
	int n = 0;
	const cJSON *it;

	if (!arr)
		return 0;
	cJSON_ArrayForEach(it, arr)
	{
		if (n < max && cJSON_IsString(it))
			out[n++] = arena_strdup(a, it->valuestring);
	}
	out[n] = NULL;
	cJSON_Delete(arr);
	return n;
}

enum app_err scan_run(struct db *db, struct arena *a, const struct scan_opts *o,
		      struct scan_stats *st, char *err, size_t errlen)
{
	struct scan s = {.db = db, .a = a, .o = o, .st = st};
	const char *pl[] = {o->library_id};
	char sid[24];
	PGresult *lib, *r;
	enum app_err e;
	char roots[MAX_ROOTS][PATH_MAX];
	bool root_ok[MAX_ROOTS] = {false};
	const char *rootv[MAX_ROOTS + 1];
	int nroots, nok = 0;

	memset(st, 0, sizeof(*st));
	snprintf(err, errlen, "%s", "");
	snprintf(sid, sizeof(sid), "%lld", (long long)o->scan_id);
	const char *ps[] = {sid, o->library_id};
	if ((e = db_query(db, a, &q_library, pl, &lib)))
		return e;
	if (PQntuples(lib) != 1) {
		snprintf(err, errlen, "library %s does not exist", o->library_id);
		return APP_ERR_NOT_FOUND;
	}
	if ((e = db_query(db, a, &q_start, ps, &r)))
		return e;
	if (PQntuples(r) != 1) {
		snprintf(err, errlen, "scan %s is not queued or running", sid);
		return APP_ERR_NOT_FOUND;
	}
	s.tv = !strcmp(PQgetvalue(lib, 0, 0), "tvshow");
	nroots = parse_list(a, PQgetvalue(lib, 0, 1), rootv, MAX_ROOTS);
	s.custom_exts = parse_list(a, PQgetvalue(lib, 0, 2), s.exts, MAX_EXTS) > 0;
	parse_list(a, PQgetvalue(lib, 0, 3), s.excludes, MAX_EXCLUDES);
	buf_init(&s.errors, 1024 * 1024);
	buf_init(&s.present_ids, 64u * 1024 * 1024);

	if ((e = db_query(db, a, &q_known, pl, &s.known.rows)))
		goto out;
	s.known.n = PQntuples(s.known.rows);
	if (known_build(&s.known) ||
	    !(s.batch = calloc((size_t)(o->batch > 0 ? o->batch : 1), sizeof(*s.batch)))) {
		e = APP_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < nroots; i++) {
		struct stat sb;
		snprintf(roots[i], sizeof(roots[i]), "%s", rootv[i]);
		/* an unmounted share: the mount point may exist but be empty, or
		 * be gone; only a readable, non-empty-or-known root is walked */
		DIR *d = opendir(roots[i]);
		if (!d || stat(roots[i], &sb) || !S_ISDIR(sb.st_mode)) {
			if (d)
				closedir(d);
			record_error(&s, roots[i], "library root cannot be read (unmounted?)");
			continue;
		}
		closedir(d);
		root_ok[i] = true;
		nok++;
	}
	if (!nok) {
		snprintf(err, errlen, "no library root can be read");
		e = finish(&s, "failed", err) ? APP_ERR_DB : APP_ERR_UNAVAILABLE;
		goto out;
	}
	for (int i = 0; i < nroots && !stop_now(&s); i++) {
		if (!root_ok[i])
			continue;
		snprintf(s.root, sizeof(s.root), "%s", roots[i]);
		s.rootlen = strlen(s.root);
		walk_dir(&s, s.root, 0);
	}
	if (!s.db_failed && !s.stopped)
		flush_batch(&s);
	if (s.db_failed) {
		snprintf(err, errlen, "database error during the scan");
		e = APP_ERR_DB;
		goto out;
	}
	if (s.stopped) {
		flush_batch(&s);
		e = finish(&s, "cancelled", "stopped before the end");
		snprintf(err, errlen, "stopped");
		goto out;
	}
	if (s.present_ids.len) {
		char *ids = arena_printf(a, "{%s}", s.present_ids.data);
		const char *pp[] = {o->library_id, ids};
		if ((e = db_query(db, a, &q_present, pp, NULL)))
			goto out;
	}
	if ((e = settle_unseen(&s, roots, root_ok, nroots)))
		goto out;
	if (o->type == SCAN_METADATA) {
		const char *pr[] = {o->library_id, o->request_id};
		if ((e = db_query(db, a, &q_refresh_all, pr, NULL)))
			goto out;
	}
	e = finish(&s, "completed", NULL);
out:
	if (e == APP_ERR_DB && !err[0])
		snprintf(err, errlen, "database error");
	for (int i = 0; s.batch && i < s.nbatch; i++)
		item_release(&s.batch[i]);
	free(s.batch);
	known_release(&s.known);
	free(s.tv_nfo);
	buf_release(&s.errors);
	buf_release(&s.present_ids);
	return e;
}

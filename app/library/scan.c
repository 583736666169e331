/* scan: the driver of one scan (see scan.h, scan_int.h). */
#include "library/scan.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "core/text.h"
#include "db/value.h"
#include "library/scan_int.h"
#include "notify/notify.h"

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

/* --- what the database knows ------------------------------------------- */

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

int scan_known_find(const struct known *k, const char *path)
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

/* --- statements of the driver ---------------------------------------------------------- */

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
static const struct db_stmt q_known_under = {
    "scan_known_under",
    "SELECT path, id, size, mtime_ns, state = 'missing',"
    " coalesce((extract(epoch FROM now() - missing_since) * 1000)::bigint, 0)"
    " FROM media_files WHERE library_id = $1 AND (path = $2 OR starts_with(path, $2 || '/'))",
    2, true};
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
    " AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.movie_id = m.id)"
    " RETURNING id, title, year",
    1, false};
static const struct db_stmt q_orphans_series = {
    "scan_orphan_series",
    "DELETE FROM series s WHERE library_id = $1"
    " AND NOT EXISTS (SELECT 1 FROM media_files f WHERE f.series_id = s.id)"
    " RETURNING id, title, year",
    1, false};
static const struct db_stmt q_refresh_all = {
    "scan_refresh_all",
    "INSERT INTO jobs (kind, args, priority, request_id)"
    " SELECT 'library.match', jsonb_build_object('file_id', id, 'refresh', true), 3, $2"
    " FROM media_files WHERE library_id = $1 AND state = 'present' AND match_status <> 'manual'",
    2, false};

/* --- shared with the other pieces ------------------------------------------ */

void scan_record_error(struct scan *s, const char *path, const char *what)
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

bool scan_join(char *out, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(out, cap, "%s/%s", dir, name);
	return n >= 0 && (size_t)n < cap;
}

bool scan_stop_now(struct scan *s)
{
	if (!s->stopped && s->o->should_stop && s->o->should_stop(s->o->stop_arg))
		s->stopped = true;
	return s->stopped || s->db_failed;
}

/* --- after the walk ------------------------------------------------------ */

static bool under(const char *path, const char *root)
{
	size_t n = strlen(root);
	return !strncmp(path, root, n) && path[n] == '/';
}

/* content.removed (notify/notify.h) for each item of r (id, title, year)
 * a removal took with its last file, in the caller's transaction. */
static enum app_err removed(struct scan *s, const char *kind, const PGresult *r)
{
	enum app_err e;

	if (!PQntuples(r) || !notify_wanted(s->db, s->a, "content.removed"))
		return APP_OK;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *id = PQgetvalue(r, i, 0), *title = PQgetvalue(r, i, 1);
		const char *year = PQgetisnull(r, i, 2)
				       ? ""
				       : arena_printf(s->a, " (%s)", PQgetvalue(r, i, 2));
		if ((e = notify_event(
		         s->db, s->a, "content.removed",
		         notify_payload(s->a, arena_printf(s->a, "Removed: %s%s", title, year),
		                        arena_printf(s->a,
		                                     "The %s %s%s left the library with its last "
		                                     "file.",
		                                     kind, title, year),
		                        (const char *const[]){"kind", kind, "id", id, "title",
		                                              title, "library_id", s->o->library_id,
		                                              NULL}),
		         NULL)))
			return e;
	}
	return APP_OK;
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
		int64_t ms = 0; /* a cell that does not read (logged): not yet past the grace */
		(void)db_get_int64(s->known.rows, i, 5, &ms);
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
	PGresult *om, *os;
	if ((miss.len > 2 && (e = db_query(s->db, s->a, &q_mark_missing, pm, NULL))) ||
	    (gone.len > 2 && (e = db_query(s->db, s->a, &q_remove, pg, NULL))) ||
	    (gone.len > 2 && ((e = db_query(s->db, s->a, &q_orphans_movies, pl, &om)) ||
			      (e = removed(s, "movie", om)))) ||
	    (gone.len > 2 && ((e = db_query(s->db, s->a, &q_orphans_series, pl, &os)) ||
			      (e = removed(s, "series", os))))) {
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

	if (!s->o->scan_id)
		return APP_OK; /* a targeted scan keeps no row */
	snprintf(id, sizeof(id), "%lld", (long long)s->o->scan_id);
	snprintf(miss, sizeof(miss), "%lld", (long long)s->st->missing);
	snprintf(rem, sizeof(rem), "%lld", (long long)s->st->removed);
	snprintf(dirs, sizeof(dirs), "%lld", (long long)s->st->dirs);
	p[0] = id;
	p[1] = status;
	scan_progress_params(s, num, p + 2);
	/* progress_params wrote seen..errors into p[2..6]; reorder for q_finish */
	const char *errcount = p[6];
	p[6] = miss;
	p[7] = rem;
	p[8] = errcount;
	p[9] = scan_errors_text(s);
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
	const char *path = o->path;
	if (path) {
		struct stat sb;
		if (path[0] != '/' || !path_segments_plain(path + 1)) {
			snprintf(err, errlen, "%s is not a plain absolute path", path);
			return APP_ERR_NOT_FOUND;
		}
		/* a file: its folder */
		if (!stat(path, &sb) && !S_ISDIR(sb.st_mode)) {
			char *dir = arena_strdup(a, path);
			if (!dir)
				return APP_ERR_NOMEM;
			*strrchr(dir, '/') = 0;
			path = dir;
		}
	}
	snprintf(sid, sizeof(sid), "%lld", (long long)o->scan_id);
	const char *ps[] = {sid, o->library_id};
	if ((e = db_query(db, a, &q_library, pl, &lib)))
		return e;
	if (PQntuples(lib) != 1) {
		snprintf(err, errlen, "library %s does not exist", o->library_id);
		return APP_ERR_NOT_FOUND;
	}
	if (o->scan_id) {
		if ((e = db_query(db, a, &q_start, ps, &r)))
			return e;
		if (PQntuples(r) != 1) {
			snprintf(err, errlen, "scan %s is not queued or running", sid);
			return APP_ERR_NOT_FOUND;
		}
	}
	s.tv = !strcmp(PQgetvalue(lib, 0, 0), "tvshow");
	nroots = parse_list(a, PQgetvalue(lib, 0, 1), rootv, MAX_ROOTS);
	s.custom_exts = parse_list(a, PQgetvalue(lib, 0, 2), s.exts, MAX_EXTS) > 0;
	parse_list(a, PQgetvalue(lib, 0, 3), s.excludes, MAX_EXCLUDES);
	buf_init(&s.errors, 1024 * 1024);
	buf_init(&s.present_ids, 64u * 1024 * 1024);

	const char *pk[] = {o->library_id, path};
	if ((e = path ? db_query(db, a, &q_known_under, pk, &s.known.rows)
			 : db_query(db, a, &q_known, pl, &s.known.rows)))
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
			scan_record_error(&s, roots[i], "library root cannot be read (unmounted?)");
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
	if (path) {
		/* a targeted scan: the folder's root must be readable (an
		 * unmounted share marks nothing missing) */
		int ri = -1;
		for (int i = 0; i < nroots; i++)
			if (!strcmp(path, roots[i]) || under(path, roots[i]))
				ri = i;
		if (ri < 0 || !root_ok[ri]) {
			snprintf(err, errlen, ri < 0 ? "%s is outside the library's folders"
						  : "the library folder of %s cannot be read",
				 path);
			e = ri < 0 ? APP_ERR_NOT_FOUND : APP_ERR_UNAVAILABLE;
			goto out;
		}
		for (int i = 0; i < nroots; i++)
			root_ok[i] = i == ri;
		snprintf(s.root, sizeof(s.root), "%s", roots[ri]);
		s.rootlen = strlen(s.root);
		int depth = 0;
		for (const char *c = path + s.rootlen; *c; c++)
			depth += *c == '/';
		struct stat sb;
		if (!stat(path, &sb) && S_ISDIR(sb.st_mode))
			scan_walk_dir(&s, path, depth);
		/* gone: its known files are settled below as vanished */
	} else {
		for (int i = 0; i < nroots && !scan_stop_now(&s); i++) {
			if (!root_ok[i])
				continue;
			snprintf(s.root, sizeof(s.root), "%s", roots[i]);
			s.rootlen = strlen(s.root);
			scan_walk_dir(&s, s.root, 0);
		}
	}
	if (!s.db_failed && !s.stopped)
		scan_flush_batch(&s);
	if (s.db_failed) {
		snprintf(err, errlen, "database error during the scan");
		e = APP_ERR_DB;
		goto out;
	}
	if (s.stopped) {
		scan_flush_batch(&s);
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
		scan_item_release(&s.batch[i]);
	free(s.batch);
	known_release(&s.known);
	free(s.tv_nfo);
	buf_release(&s.errors);
	buf_release(&s.present_ids);
	return e;
}

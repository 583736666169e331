/* scan_store: writing a batch of files (see scan_int.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/log.h"
#include "jobs/jobs.h"
#include "library/scan_int.h"

static const struct db_stmt q_progress = {
    "scan_progress",
    "UPDATE library_scans SET files_seen = $2, files_added = $3, files_changed = $4,"
    " files_unchanged = $5, error_count = $6, errors = $7::jsonb, dirs_walked = $8"
    " WHERE id = $1",
    8, false};

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

/* Rows of this library that a new file may have been moved from: the same
 * size and modification time under another path. */
static const struct db_stmt q_moved_from = {
    "scan_moved_from",
    "SELECT x.path, f.id, f.path FROM jsonb_to_recordset($2::jsonb) AS x(path text, size bigint,"
    " mtime_ns bigint) JOIN media_files f ON f.library_id = $1 AND f.size = x.size"
    " AND f.mtime_ns = x.mtime_ns AND f.path <> x.path ORDER BY f.state = 'missing' DESC, f.id",
    2, false};
static const struct db_stmt q_move = {
    "scan_move",
    "UPDATE media_files SET path = $3, rel_path = $4, updated_at = now()"
    " WHERE id = $1 AND library_id = $2",
    4, false};

void scan_item_release(struct item *it)
{
	free(it->path);
	free(it->parsed);
	free(it->nfo);
	free(it->sidecars);
	memset(it, 0, sizeof(*it));
}

/* --- writing ------------------------------------------------------------- */

void scan_progress_params(struct scan *s, char num[][24], const char **p)
{
	const int64_t v[] = {s->st->seen, s->st->added, s->st->changed, s->st->unchanged,
			     s->st->errors};
	for (int i = 0; i < 5; i++) {
		snprintf(num[i], 24, "%lld", (long long)v[i]);
		p[i] = num[i];
	}
}

char *scan_errors_text(struct scan *s)
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
	scan_progress_params(s, num, p + 1);
	p[6] = scan_errors_text(s);
	p[7] = dirs;
	return db_query(s->db, s->a, &q_progress, p, NULL);
}

/*
 * A new file that is a known file moved or renamed inside the library (same
 * size and modification time, and the old path is gone from the disk): the
 * old row takes the new path before the upsert, which then updates it in
 * place, so the file keeps its id, its item and with it the watch state.
 * Runs inside the batch's transaction.
 */
static enum app_err relink_moves(struct scan *s)
{
	struct buf b;
	struct jw w;
	PGresult *r;
	enum app_err e;
	int n = 0;

	buf_init(&b, 64u * 1024 * 1024);
	jw_init(&w, &b);
	jw_arr_open(&w);
	for (int i = 0; i < s->nbatch; i++) {
		const struct item *it = &s->batch[i];
		if (!it->is_new)
			continue;
		jw_obj_open(&w);
		jw_kstr(&w, "path", it->path);
		jw_kint(&w, "size", it->size);
		jw_kint(&w, "mtime_ns", it->mtime_ns);
		jw_obj_close(&w);
		n++;
	}
	jw_arr_close(&w);
	if (!n || !buf_ok(&b)) {
		buf_release(&b);
		return n ? APP_ERR_NOMEM : APP_OK;
	}
	const char *p[] = {s->o->library_id, b.data};
	e = db_query(s->db, s->a, &q_moved_from, p, &r);
	buf_release(&b);
	if (e)
		return e;
	for (int i = 0; i < PQntuples(r); i++) {
		const char *to = PQgetvalue(r, i, 0), *id = PQgetvalue(r, i, 1);
		const char *from = PQgetvalue(r, i, 2);
		struct stat sb;
		struct item *it = NULL;
		for (int k = 0; k < s->nbatch; k++)
			if (s->batch[k].is_new && !strcmp(s->batch[k].path, to))
				it = &s->batch[k];
		if (!it || !lstat(from, &sb))
			continue; /* taken already, or the old file is still there (a copy) */
		const char *pm[] = {id, s->o->library_id, it->path, it->rel};
		if ((e = db_query(s->db, s->a, &q_move, pm, NULL)))
			return e;
		log_info("scan.moved", "%s -> %s", from, it->path);
		int kr = scan_known_find(&s->known, from); /* not vanished: moved */
		if (kr >= 0)
			s->known.seen[kr] = 1;
		it->is_new = false;
		s->st->added--;
		s->st->changed++;
	}
	return APP_OK;
}

/* Probe, upsert and enqueue the batch in one transaction. */
enum app_err scan_flush_batch(struct scan *s)
{
	struct buf b;
	struct jw w;
	enum app_err e;
	PGresult *r = NULL;
	char sid[24];

	if (!s->nbatch)
		return APP_OK;
	scan_probe_batch(s);
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
			scan_record_error(s, it->path, it->probe_err[0] ? it->probe_err : "probe failed");
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
	if ((e = relink_moves(s)) || (e = db_query(s->db, s->a, &q_upsert, p, &r)))
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
	if (s->o->scan_id && (e = write_progress(s)))
		goto fail;
	if ((e = db_commit(s->db)))
		goto out;
	goto out;
fail:
	db_rollback(s->db);
out:
	buf_release(&b);
	for (int i = 0; i < s->nbatch; i++)
		scan_item_release(&s->batch[i]);
	s->nbatch = 0;
	if (e)
		s->db_failed = true;
	return e;
}

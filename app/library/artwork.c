#include "library/artwork.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/file.h"
#include "core/image.h"
#include "core/log.h"
#include "core/text.h"
#include "storage/storage.h"

#define MAX_FILES 16      /* files of one item looked at */
#define MAX_CANDIDATES 24 /* per kind */

enum kind { K_POSTER = 0, K_BACKDROP = 1, NKINDS };
static const char *const kind_names[NKINDS] = {"poster", "backdrop"};

/* --- statements ------------------------------------------------------------ */

static const struct db_stmt q_enqueue = {
    "artwork_enqueue",
    "INSERT INTO jobs (kind, args, priority, unique_key, request_id)"
    " SELECT 'image.local', CASE WHEN f.movie_id IS NOT NULL"
    "  THEN jsonb_build_object('movie_id', f.movie_id)"
    "  ELSE jsonb_build_object('series_id', f.series_id) END, 3,"
    " 'image.local:' || coalesce(f.movie_id, f.series_id), $3"
    " FROM media_files f LEFT JOIN movies m ON m.id = f.movie_id"
    " LEFT JOIN series s ON s.id = f.series_id"
    " WHERE f.id = $1::uuid AND coalesce(f.movie_id, f.series_id) IS NOT NULL AND ($2::bool"
    "  OR (f.movie_id IS NOT NULL AND (m.local_poster_id IS NOT NULL"
    "   OR m.local_backdrop_id IS NOT NULL OR jsonb_array_length(CASE WHEN"
    "   jsonb_typeof(f.sidecars->'images') = 'array' THEN f.sidecars->'images' ELSE '[]' END) > 0))"
    "  OR (f.movie_id IS NULL AND s.local_poster_id IS NULL AND s.local_backdrop_id IS NULL))"
    " ON CONFLICT DO NOTHING",
    3, false};

static const struct db_stmt q_movie_files = {
    "artwork_movie_files",
    "SELECT f.path, f.rel_path, EXISTS (SELECT 1 FROM movies WHERE id = $1::uuid)"
    " FROM (SELECT 1) one LEFT JOIN media_files f ON f.movie_id = $1::uuid AND f.state = 'present'"
    " ORDER BY f.rel_path, f.id LIMIT 16",
    1, true};
static const struct db_stmt q_series_files = {
    "artwork_series_files",
    "SELECT f.path, f.rel_path, EXISTS (SELECT 1 FROM series WHERE id = $1::uuid)"
    " FROM (SELECT 1) one LEFT JOIN media_files f ON f.series_id = $1::uuid AND f.state = 'present'"
    " ORDER BY f.rel_path, f.id LIMIT 1",
    1, true};

/* the local picture of this content, when it is stored under this key */
static const struct db_stmt q_image_find = {
    "artwork_image_find",
    "SELECT id FROM images WHERE kind = $1 AND provider_path = $2 AND provider = 'local'"
    " AND state = 'stored' AND storage_key = $3",
    3, true};
static const struct db_stmt q_image_upsert = {
    "artwork_image_upsert",
    "INSERT INTO images AS i (kind, provider_path, provider, state, storage_key, bytes, attempts,"
    " fetched_at) VALUES ($1, $2, 'local', 'stored', $3, $4::int, 1, now())"
    " ON CONFLICT (kind, provider_path) DO UPDATE SET state = 'stored',"
    " storage_key = EXCLUDED.storage_key, bytes = EXCLUDED.bytes, error = NULL,"
    " attempts = i.attempts + 1, fetched_at = now() WHERE i.provider = 'local'"
    " RETURNING id",
    4, false};

/* the item's link; written only when it changes (every write of movies
 * advances the catalog generation, which empties the API's cache) */
#define LINK(NAME, TABLE, COL)                                                                     \
	{NAME,                                                                                     \
	 "UPDATE " TABLE " SET " COL " = $2::bigint WHERE id = $1::uuid"                           \
	 " AND " COL " IS DISTINCT FROM $2::bigint",                                               \
	 2, true}
static const struct db_stmt q_link[2][NKINDS] = {
    {LINK("artwork_link_movie_poster", "movies", "local_poster_id"),
     LINK("artwork_link_movie_backdrop", "movies", "local_backdrop_id")},
    {LINK("artwork_link_series_poster", "series", "local_poster_id"),
     LINK("artwork_link_series_backdrop", "series", "local_backdrop_id")},
};

enum app_err artwork_enqueue(struct db *db, struct arena *a, const char *file_id, bool refresh,
			     const char *request_id)
{
	const char *p[] = {file_id, refresh ? "true" : "false", request_id};
	return db_query(db, a, &q_enqueue, p, NULL);
}

/* --- finding candidates ----------------------------------------------------- */

struct cand {
	char path[PATH_MAX];
	int rank; /* lower is better */
	int order; /* the order found, for ties */
};

struct found {
	struct cand c[NKINDS][MAX_CANDIDATES];
	int n[NKINDS];
	int seen;
};

static bool image_ext(const char *name, size_t *stem)
{
	static const char *const exts[] = {"jpg", "jpeg", "png", "webp", NULL};
	const char *dot = strrchr(name, '.');

	if (!dot || dot == name)
		return false;
	for (int i = 0; exts[i]; i++)
		if (ascii_ieq(dot + 1, exts[i])) {
			*stem = (size_t)(dot - name);
			return true;
		}
	return false;
}

/* name[0..n) equals a + b, ignoring ASCII case */
static bool stem_is(const char *name, size_t n, const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	return n == an + bn && !strncasecmp(name, a, an) && !strncasecmp(name + an, b, bn);
}

/* The rank of an entry as a picture of kind k, or -1. video/vlen: the
 * video's name without its extension (vlen 0: none). */
static int rank_of(const char *name, size_t n, enum kind k, const char *video, size_t vlen,
		   bool folder_wide)
{
	static const char *const own[NKINDS][3] = {{"-poster", "", NULL},
						   {"-fanart", "-backdrop", NULL}};
	static const char *const wide[NKINDS][4] = {{"poster", "folder", "cover", NULL},
						    {"fanart", "backdrop", NULL, NULL}};
	int r = 0;

	for (int i = 0; own[k][i]; i++, r++)
		if (vlen && stem_is(name, n, video, vlen, own[k][i]))
			return r;
	for (int i = 0; wide[k][i]; i++, r++)
		if (folder_wide && stem_is(name, n, "", 0, wide[k][i]))
			return r;
	return -1;
}

static void add(struct found *f, enum kind k, const char *dir, const char *name, int rank)
{
	struct cand *c;
	int len;

	if (f->n[k] >= MAX_CANDIDATES)
		return;
	c = &f->c[k][f->n[k]];
	len = snprintf(c->path, sizeof(c->path), "%s/%s", dir, name);
	if (len < 0 || (size_t)len >= sizeof(c->path))
		return;
	c->rank = rank;
	c->order = f->seen++;
	f->n[k]++;
}

/* Every picture of dir for a video named video[0..vlen) (vlen 0: none). */
static void look_in(struct found *f, const char *dir, const char *video, size_t vlen,
		    bool folder_wide)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		log_warn("artwork.dir", "%s: %s", dir, strerror(errno));
		return;
	}
	while ((de = readdir(d))) {
		size_t stem;
		if (de->d_name[0] == '.' || !image_ext(de->d_name, &stem))
			continue;
		for (int k = 0; k < NKINDS; k++) {
			int r = rank_of(de->d_name, stem, (enum kind)k, video, vlen, folder_wide);
			if (r >= 0)
				add(f, (enum kind)k, dir, de->d_name, r);
		}
	}
	closedir(d);
}

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* The directory to look in for the file at path (rel: its path under the
 * root) into dir; false when there is none. */
static bool dir_of(const char *path, const char *rel, bool series, char *dir, size_t cap,
		   const char **video, size_t *vlen, bool *folder_wide)
{
	size_t plen = strlen(path), rlen = strlen(rel);
	const char *slash = strchr(rel, '/');
	const char *last = strrchr(path, '/');
	size_t n;

	if (rlen >= plen || !last || strcmp(path + plen - rlen, rel))
		return false;
	*folder_wide = slash != NULL;
	if (series) {
		if (!slash)
			return false; /* loose episodes: no series folder */
		n = plen - rlen + (size_t)(slash - rel); /* root + "/" + first folder */
		*video = NULL;
		*vlen = 0;
	} else {
		const char *dot = strrchr(last + 1, '.');
		n = (size_t)(last - path);
		*video = last + 1;
		*vlen = dot && dot != last + 1 ? (size_t)(dot - *video) : strlen(*video);
	}
	if (n == 0 || n >= cap)
		return false;
	memcpy(dir, path, n);
	dir[n] = 0;
	return true;
}

/* --- reading and storing ------------------------------------------------------ */

/*
 * Store data (already known to be an image of type ext) as a local picture
 * of kind k; *id receives its images row id (text, arena; NULL when a
 * provider's row holds that path). Nothing is written when the row shows
 * it stored under the same key already and the object is there. The row
 * is written in the caller's transaction.
 */
static enum app_err store_one(struct db *db, struct arena *a, enum kind k, const char *data,
			      size_t len, const char *ext, bool *wrote, const char **id)
{
	unsigned char sum[32];
	char hex[65];
	PGresult *r;
	enum app_err e;

	crypto_sha256(data, len, sum);
	hex_encode(sum, sizeof(sum), hex);
	const char *ppath = arena_printf(a, "/local-%s.%s", hex, ext);
	const char *key = arena_printf(a, "images/%s/local/%s.%s", kind_names[k], hex, ext);
	const char *pf[] = {kind_names[k], ppath, key};
	if (!ppath || !key)
		return APP_ERR_NOMEM;
	if ((e = db_query(db, a, &q_image_find, pf, &r)))
		return e;
	*wrote = false;
	if (PQntuples(r) && storage_exists(key)) {
		*id = PQgetvalue(r, 0, 0); /* stored before: nothing to write */
		return APP_OK;
	}
	if ((e = storage_put(key, data, len)))
		return e;
	*wrote = true;
	const char *pu[] = {kind_names[k], ppath, key, arena_printf(a, "%zu", len)};
	if ((e = db_query(db, a, &q_image_upsert, pu, &r)))
		return e;
	*id = PQntuples(r) ? PQgetvalue(r, 0, 0) : NULL;
	return APP_OK;
}

/* The first usable candidate of kind k stored; *id NULL when none is. */
static enum app_err pick(struct db *db, struct arena *a, struct found *f, enum kind k,
			 struct artwork_result *res, const char **id)
{
	*id = NULL;
	qsort(f->c[k], (size_t)f->n[k], sizeof(f->c[k][0]), cmp_cand);
	for (int i = 0; i < f->n[k] && !*id; i++) {
		const char *path = f->c[k][i].path;
		struct image_info info;
		char *data;
		size_t len = 0;
		bool wrote = false;
		enum file_read fr = file_read_capped(path, ARTWORK_MAX_BYTES, &data, &len);

		if (fr || !len) {
			log_warn("artwork.refused", "%s: %s", path, fr ? file_read_why(fr) : "empty");
			res->refused++;
			free(data);
			continue;
		}
		if (image_sniff(data, len, &info)) {
			log_warn("artwork.refused", "%s: not a JPEG, PNG or WebP image", path);
			res->refused++;
			free(data);
			continue;
		}
		enum app_err e = store_one(db, a, k, data, len, info.ext, &wrote, id);
		free(data);
		if (e)
			return e;
		res->stored += wrote;
	}
	return APP_OK;
}

enum app_err artwork_ingest(struct db *db, struct arena *a, const char *movie_id,
			    const char *series_id, struct artwork_result *res, char *err,
			    size_t errlen)
{
	bool series = !movie_id;
	const char *item = series ? series_id : movie_id;
	const char *pi[] = {item};
	const char *ids[NKINDS] = {NULL, NULL};
	struct found *f = NULL;
	PGresult *r;
	enum app_err e;

	memset(res, 0, sizeof(*res));
	snprintf(err, errlen, "%s", "");
	if (!item || (movie_id && series_id)) {
		snprintf(err, errlen, "one of movie_id and series_id");
		return APP_ERR_VALIDATION;
	}
	if ((e = db_query(db, a, series ? &q_series_files : &q_movie_files, pi, &r)))
		goto out;
	if (PQgetvalue(r, 0, 2)[0] != 't') {
		snprintf(err, errlen, "%s %s does not exist", series ? "series" : "movie", item);
		e = APP_ERR_NOT_FOUND;
		goto out;
	}
	if (!(f = calloc(1, sizeof(*f)))) {
		e = APP_ERR_NOMEM;
		goto out;
	}
	for (int i = 0; i < PQntuples(r) && i < MAX_FILES; i++) {
		char dir[PATH_MAX];
		const char *video = NULL;
		size_t vlen = 0;
		bool wide = false;
		if (PQgetisnull(r, i, 0) ||
		    !dir_of(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), series, dir, sizeof(dir), &video,
			    &vlen, &wide))
			continue;
		look_in(f, dir, video, vlen, wide);
	}
	if ((e = db_begin(db)))
		goto out;
	for (int k = 0; k < NKINDS; k++) {
		const char *pl[2];
		if ((e = pick(db, a, f, (enum kind)k, res, &ids[k])))
			break;
		pl[0] = item;
		pl[1] = ids[k];
		if ((e = db_query(db, a, &q_link[series][k], pl, NULL)))
			break;
	}
	if (e) {
		db_rollback(db);
		goto out;
	}
	if ((e = db_commit(db)))
		goto out;
	res->poster = ids[K_POSTER] != NULL;
	res->backdrop = ids[K_BACKDROP] != NULL;
out:
	if (e && !err[0])
		snprintf(err, errlen, "%s", e == APP_ERR_UNAVAILABLE ? "storage refused the picture"
								     : app_err_title(e));
	free(f);
	return e;
}

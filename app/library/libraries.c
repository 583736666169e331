#include "library/libraries.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/text.h"
#include "db/sql.h"
#include "http/page.h"
#include "jobs/jobs.h"
#include "library/roots.h"

#define MAX_PATHS 16
#define MAX_EXTENSIONS 32
#define MAX_EXCLUDES 64
#define EXCLUDE_MAX_BYTES 200

static const char *const types[] = {"movie", "tvshow", NULL};
static const char *const visibilities[] = {"all", "granted", NULL};
static const char *const levels[] = {"view", "download", "manage", NULL};

const struct param_spec libraries_list_query[] = {
    {.name = "type", .type = PT_ENUM, .choices = types, .doc = "Only libraries of this type."},
    PAGE_PARAMS,
    {0},
};

/* clang-format off */
/* Columns lib_json() reads, from `libraries l`. */
#define LIB_COLUMNS                                                                                \
	"l.id, l.name, l.type, array_to_json(l.paths)::text, l.enabled, l.visibility,"             \
	" l.scan_interval_minutes, l.metadata_language,"                                           \
	" coalesce(array_to_json(l.extensions)::text, 'null'),"                                    \
	" array_to_json(l.exclude_patterns)::text, " SQL_TS("l.last_scan_at") ", "                 \
	SQL_TS("l.created_at") ", " SQL_TS("l.updated_at") ","                                     \
	" (SELECT count(*) FROM media_files f WHERE f.library_id = l.id AND f.state = 'present'),"  \
	" CASE l.type WHEN 'movie' THEN (SELECT count(*) FROM movies m WHERE m.library_id = l.id)" \
	" ELSE (SELECT count(*) FROM series s WHERE s.library_id = l.id) END,"                     \
	" (SELECT count(*) FROM media_files f WHERE f.library_id = l.id AND f.state = 'present'"   \
	" AND f.match_status IN ('unmatched', 'local', 'error')),"                                 \
	" EXISTS (SELECT 1 FROM library_scans s WHERE s.library_id = l.id"                         \
	" AND s.status IN ('queued', 'running')),"                                                 \
	" lower(l.name)"
enum {
	LC_ID, LC_NAME, LC_TYPE, LC_PATHS, LC_ENABLED, LC_VISIBILITY, LC_INTERVAL, LC_LANGUAGE,
	LC_EXTENSIONS, LC_EXCLUDES, LC_LAST_SCAN, LC_CREATED, LC_UPDATED, LC_FILES, LC_ITEMS,
	LC_UNMATCHED, LC_SCANNING, LC_SORT, LC_N
};

static const struct db_stmt q_lock = {
	"lib_lock", "SELECT pg_advisory_xact_lock(" LIBRARY_LOCK_KEY ")", 0, false};

static const struct db_stmt q_access = {
	"lib_access",
	"SELECT l.visibility, (SELECT g.level FROM library_grants g WHERE g.library_id = l.id"
	" AND g.user_id = $2::uuid) FROM libraries l WHERE l.id = $1",
	2, true};

#define LIST_WHERE                                                                                 \
	" WHERE " LIBRARY_VISIBLE_SQL("l.id", "$1", "$2") " AND ($3::text IS NULL OR l.type = $3)"
static const struct db_stmt q_list = {
	"lib_list",
	"SELECT " LIB_COLUMNS " FROM libraries l" LIST_WHERE
	" AND ($4::text IS NULL OR (lower(l.name), l.id) > ($4, $5::uuid))"
	" ORDER BY lower(l.name), l.id LIMIT $6 OFFSET $7",
	7, true};
static const struct db_stmt q_count = {
	"lib_count", "SELECT count(*) FROM libraries l" LIST_WHERE, 3, true};
static const struct db_stmt q_get = {
	"lib_get", "SELECT " LIB_COLUMNS " FROM libraries l WHERE l.id = $1", 1, true};
static const struct db_stmt q_get_locked = {
	"lib_get_locked", "SELECT " LIB_COLUMNS " FROM libraries l WHERE l.id = $1 FOR UPDATE", 1,
	false};

/* every root of every other library (under the lock) */
static const struct db_stmt q_other_roots = {
	"lib_other_roots",
	"SELECT p FROM libraries, unnest(paths) AS p WHERE $1::uuid IS NULL OR id <> $1::uuid", 1,
	false};

static const struct db_stmt q_insert = {
	"lib_insert",
	"INSERT INTO libraries (name, type, paths) VALUES ($1, $2, " SQL_TEXT_ARRAY("$3")
	") RETURNING id",
	3, false};
/* NULL parameters leave a column as it is; $8 says whether extensions is
 * set at all (to $9, where NULL restores the default list) */
static const struct db_stmt q_update = {
	"lib_update",
	"UPDATE libraries SET name = coalesce($2, name),"
	" paths = CASE WHEN $3::jsonb IS NULL THEN paths ELSE " SQL_TEXT_ARRAY("$3") " END,"
	" enabled = coalesce($4::boolean, enabled), visibility = coalesce($5, visibility),"
	" scan_interval_minutes = coalesce($6::integer, scan_interval_minutes),"
	" metadata_language = coalesce($7, metadata_language),"
	" extensions = CASE WHEN NOT $8::boolean THEN extensions WHEN $9::jsonb IS NULL THEN NULL"
	" ELSE " SQL_TEXT_ARRAY("$9") " END,"
	" exclude_patterns = CASE WHEN $10::jsonb IS NULL THEN exclude_patterns"
	" ELSE " SQL_TEXT_ARRAY("$10") " END,"
	" updated_at = now() WHERE id = $1",
	10, false};
static const struct db_stmt q_delete = {
	"lib_delete", "DELETE FROM libraries WHERE id = $1", 1, false};
/* the jobs of a scan in flight, by scan row and by the scan unique key */
static const struct db_stmt q_scan_jobs = {
	"lib_scan_jobs",
	"SELECT job_id FROM library_scans WHERE library_id = $1 AND status IN ('queued', 'running')"
	" AND job_id IS NOT NULL"
	" UNION SELECT id FROM jobs WHERE unique_key = 'library.scan:' || $1::text"
	" AND state IN ('available', 'scheduled', 'running', 'retryable')",
	1, false};

/* clang-format on */

/* --- access --------------------------------------------------------------- */

bool library_sees_all_for(const struct principal *who)
{
	return who && (who->admin || auth_has(who, "libraries:update"));
}

bool library_sees_all(const struct request *req)
{
	return library_sees_all_for(req->who);
}

const char *library_sees_all_param(const struct request *req)
{
	return library_sees_all(req) ? "true" : "false";
}

static int level_rank(const char *level)
{
	for (int i = 0; levels[i]; i++)
		if (!strcmp(levels[i], level))
			return i;
	return -1;
}

enum app_err library_access_for(struct db *db, struct arena *a, const struct principal *who,
                                const char *library_id, const char *level)
{
	const char *params[] = {library_id, who ? who->user_id : NULL};
	int want = level ? level_rank(level) : -1;
	PGresult *r;
	enum app_err e;

	if (want < 0)
		return APP_ERR_INTERNAL;
	if ((e = db_query(db, a, &q_access, params, &r)))
		return e;
	if (PQntuples(r) != 1)
		return APP_ERR_NOT_FOUND;
	if (library_sees_all_for(who))
		return APP_OK;
	bool granted = !PQgetisnull(r, 0, 1);
	if (!granted && strcmp(PQgetvalue(r, 0, 0), "all"))
		return APP_ERR_NOT_FOUND; /* restricted and no grant: it does not exist for them */
	/* an open library gives everyone who browses view and download */
	int have = granted ? level_rank(PQgetvalue(r, 0, 1)) : level_rank("download");
	return have >= want ? APP_OK : APP_ERR_FORBIDDEN;
}

enum app_err library_access(struct request *req, const char *library_id, const char *level)
{
	return library_access_for(req->app->db, req->arena, req->who, library_id, level);
}

enum app_err library_access_fe_for(struct db *db, struct arena *a, const struct principal *who,
                                   const char *library_id, const char *level,
                                   const char *field, struct field_error *fe)
{
	enum app_err e = library_access_for(db, a, who, library_id, level);

	if (e == APP_ERR_NOT_FOUND)
		return field_fail(fe, e, field, "is not a library");
	if (e == APP_ERR_FORBIDDEN)
		return field_fail(fe, e, field, "is a library you may not %s",
		                  !strcmp(level, "manage") ? "manage" : "download from");
	return e;
}

enum app_err library_access_fe(struct request *req, const char *library_id, const char *level,
                               const char *field, struct field_error *fe)
{
	return library_access_fe_for(req->app->db, req->arena, req->who, library_id, level, field,
	                             fe);
}

/* --- rendering ------------------------------------------------------------ */

static void raw_col(struct jw *w, const char *key, const PGresult *r, int row, int col)
{
	jw_key(w, key);
	jw_raw(w, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* The settings of a library (what audit rows record). */
static void lib_settings(struct jw *w, const PGresult *r, int row)
{
	jw_kstr(w, "name", PQgetvalue(r, row, LC_NAME));
	jw_kstr(w, "type", PQgetvalue(r, row, LC_TYPE));
	raw_col(w, "paths", r, row, LC_PATHS);
	jw_kbool(w, "enabled", PQgetvalue(r, row, LC_ENABLED)[0] == 't');
	jw_kstr(w, "visibility", PQgetvalue(r, row, LC_VISIBILITY));
	db_json_int(w, "scan_interval_minutes", r, row, LC_INTERVAL);
	jw_kstr(w, "metadata_language", PQgetvalue(r, row, LC_LANGUAGE));
	raw_col(w, "extensions", r, row, LC_EXTENSIONS);
	raw_col(w, "exclude_patterns", r, row, LC_EXCLUDES);
}

static void lib_json(struct jw *w, const PGresult *r, int row)
{
	bool movie = !strcmp(PQgetvalue(r, row, LC_TYPE), "movie");

	jw_obj_open(w);
	jw_kstr(w, "id", PQgetvalue(r, row, LC_ID));
	lib_settings(w, r, row);
	db_json_str(w, "last_scan_at", r, row, LC_LAST_SCAN);
	jw_kstr(w, "created_at", PQgetvalue(r, row, LC_CREATED));
	jw_kstr(w, "updated_at", PQgetvalue(r, row, LC_UPDATED));
	jw_key(w, "counts");
	jw_obj_open(w);
	db_json_int(w, "files", r, row, LC_FILES);
	db_json_int(w, movie ? "movies" : "series", r, row, LC_ITEMS);
	db_json_int(w, "unmatched", r, row, LC_UNMATCHED);
	jw_obj_close(w);
	jw_kbool(w, "scanning", PQgetvalue(r, row, LC_SCANNING)[0] == 't');
	jw_obj_close(w);
}

/* The settings of row 0 as JSON text in the arena (NULL: out of memory). */
static const char *settings_text(struct request *req, const PGresult *r)
{
	struct buf b;
	struct jw w;
	char *out;

	buf_init(&b, 1 << 20);
	jw_init(&w, &b);
	jw_obj_open(&w);
	lib_settings(&w, r, 0);
	jw_obj_close(&w);
	out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return out;
}

/* --- input ---------------------------------------------------------------- */

/* What a create or update body asks for; NULL / -1 = not given. */
struct lib_input {
	const char *name, *type, *visibility, *language;
	const char *paths; /* JSON array of resolved roots */
	char **roots;      /* the same, resolved, for the overlap checks */
	int nroots;
	int enabled;          /* -1, 0, 1 */
	int64_t interval;     /* -1 = not given */
	bool ext_set;         /* "extensions" given (possibly null) */
	const char *ext;      /* JSON array, NULL = the default list */
	const char *excludes; /* JSON array */
};

/*
 * Clean one root: absolute, no "." or ".." segment, duplicate and trailing
 * slashes dropped, then resolved (symlinks included) and checked to be a
 * directory this process can list. out has PATH_MAX bytes.
 */
static enum app_err root_check(const char *in, char *out, const char *field, struct field_error *fe)
{
	char clean[PATH_MAX];
	size_t n = 0, len = strlen(in);
	struct stat st;

	if (len == 0 || len >= PATH_MAX)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must be 1 to %d bytes",
		                  PATH_MAX - 1);
	if (in[0] != '/')
		return field_fail(fe, APP_ERR_VALIDATION, field, "must be an absolute path");
	if (has_control(in, len))
		return field_fail(fe, APP_ERR_VALIDATION, field,
		                  "must not contain control characters");
	for (const char *p = in; *p;) {
		size_t seg;

		while (*p == '/')
			p++;
		seg = strcspn(p, "/");
		if (!seg)
			break;
		if ((seg == 1 && p[0] == '.') || (seg == 2 && p[0] == '.' && p[1] == '.'))
			return field_fail(fe, APP_ERR_VALIDATION, field,
			                  "must not contain \".\" or \"..\" segments");
		clean[n++] = '/';
		memcpy(clean + n, p, seg);
		n += seg;
		p += seg;
	}
	clean[n] = '\0';
	if (!n)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must not be the filesystem root");
	if (!realpath(clean, out)) {
		if (errno == ENOENT || errno == ENOTDIR)
			return field_fail(fe, APP_ERR_UNPROCESSABLE, field, "does not exist");
		if (errno == EACCES)
			return field_fail(fe, APP_ERR_UNPROCESSABLE, field,
			                  "is not readable by the server");
		return field_fail(fe, APP_ERR_UNPROCESSABLE, field, "cannot be resolved");
	}
	if (!strcmp(out, "/"))
		return field_fail(fe, APP_ERR_VALIDATION, field, "resolves to the filesystem root");
	if (stat(out, &st) < 0)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, field, "does not exist");
	if (!S_ISDIR(st.st_mode))
		return field_fail(fe, APP_ERR_UNPROCESSABLE, field, "is not a directory");
	if (access(out, R_OK | X_OK) < 0)
		return field_fail(fe, APP_ERR_UNPROCESSABLE, field,
		                  "is not readable by the server");
	return APP_OK;
}

/* How root a relates to root b (both resolved, no trailing slash). */
enum overlap { OV_NONE, OV_EQUAL, OV_INSIDE, OV_CONTAINS };

static enum overlap overlap_of(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcmp(a, b) ? OV_NONE : OV_EQUAL;
	if (la > lb)
		return !strncmp(a, b, lb) && a[lb] == '/' ? OV_INSIDE : OV_NONE;
	return !strncmp(a, b, la) && b[la] == '/' ? OV_CONTAINS : OV_NONE;
}

static const char *overlap_word(enum overlap o)
{
	return o == OV_EQUAL ? "is equal to" : o == OV_INSIDE ? "is inside" : "contains";
}

/* The roots of a checked body, each resolved (root_check) and none
 * overlapping another. */
static enum app_err body_paths(struct request *req, struct lib_input *in, struct field_error *fe)
{
	const cJSON *arr = req_body(req, "paths"), *it;
	char field[32];
	struct buf b;
	int i = 0;
	enum app_err e;

	if (!cJSON_IsArray(arr))
		return APP_OK;
	in->roots = arena_calloc(req->arena, MAX_PATHS, sizeof(*in->roots));
	if (!in->roots)
		return APP_ERR_NOMEM;
	for (it = arr->child; it; it = it->next, i++) {
		snprintf(field, sizeof(field), "paths[%d]", i);
		if (!(in->roots[i] = arena_alloc(req->arena, PATH_MAX)))
			return APP_ERR_NOMEM;
		if ((e = root_check(it->valuestring, in->roots[i], field, fe)) ||
		    (e = library_root_permitted(req->app->cfg, in->roots[i], field, fe)))
			return e;
		for (int k = 0; k < i; k++) {
			enum overlap o = overlap_of(in->roots[i], in->roots[k]);
			if (o != OV_NONE)
				return field_fail(fe, APP_ERR_CONFLICT, field, "%s paths[%d]",
				                  overlap_word(o), k);
		}
	}
	in->nroots = i;
	buf_init(&b, (size_t)MAX_PATHS * (PATH_MAX * 2 + 4) + 2);
	buf_putc(&b, '[');
	for (int k = 0; k < in->nroots; k++) {
		if (k)
			buf_putc(&b, ',');
		buf_json_str(&b, in->roots[k], strlen(in->roots[k]));
	}
	buf_putc(&b, ']');
	in->paths = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return in->paths ? APP_OK : APP_ERR_NOMEM;
}

static enum app_err check_extension(const char *s, const char *field, struct field_error *fe)
{
	size_t n = strlen(s);
	bool ok = n >= 1 && n <= 8;

	for (size_t i = 0; ok && i < n; i++)
		ok = (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9');
	return ok ? APP_OK
	          : field_fail(fe, APP_ERR_VALIDATION, field, "must be 1 to 8 of a-z 0-9 (no dot)");
}

static const struct body_field extension_item = {.type = BT_STRING, .min = 1, .max = 8,
                                                   .check = check_extension};
static const struct body_field exclude_item = {.type = BT_STRING, .min = 1,
                                                 .max = EXCLUDE_MAX_BYTES, .text = true};
static const struct body_field root_item = {.type = BT_STRING, .max = PATH_MAX - 1};

/* name, type and paths are required on create only */
/* clang-format off */
#define LIB_FIELDS(create)                                                                         \
	{.name = "name", .type = BT_STRING, .required = (create), .min = 1, .max = 100,            \
	 .text = true},                                                                            \
	{.name = "type", .type = BT_ENUM, .required = (create), .choices = types,                  \
	 .doc = "Fixed once the library exists."},                                                 \
	{.name = "visibility", .type = BT_ENUM, .choices = visibilities},                          \
	{.name = "scan_interval_minutes", .type = BT_INT, .min = 0, .max = 10080,                  \
	 .doc = "0: no periodic scans."},                                                          \
	{.name = "metadata_language", .type = BT_LANG},                                            \
	{.name = "enabled", .type = BT_BOOL},                                                      \
	{.name = "extensions", .type = BT_ARRAY, .null = BN_ALLOW, .min = 1,                       \
	 .max = MAX_EXTENSIONS, .unique = true, .items = &extension_item,                          \
	 .doc = "File extensions to index; null restores the default list."},                      \
	{.name = "exclude_patterns", .type = BT_ARRAY, .max = MAX_EXCLUDES, .unique = true,        \
	 .items = &exclude_item},                                                                  \
	{.name = "paths", .type = BT_ARRAY, .required = (create), .min = 1, .max = MAX_PATHS,      \
	 .items = &root_item,                                                                      \
	 .doc = "Absolute directories; none may overlap a root of another library."},              \
	{0}
/* clang-format on */

const struct body_field libraries_create_body[] = {LIB_FIELDS(true)};
const struct body_field libraries_update_body[] = {LIB_FIELDS(false)};

/* A string array member of a checked body as JSON text; NULL when absent
 * or null (*out), APP_ERR_NOMEM when it cannot be built. */
static enum app_err json_list(struct request *req, const char *key, const char **out)
{
	const cJSON *arr = req_body(req, key), *it;
	struct buf b;

	*out = NULL;
	if (!cJSON_IsArray(arr))
		return APP_OK;
	buf_init(&b, 64 * 1024);
	buf_putc(&b, '[');
	for (it = arr->child; it; it = it->next) {
		if (it != arr->child)
			buf_putc(&b, ',');
		buf_json_str(&b, it->valuestring, strlen(it->valuestring));
	}
	buf_putc(&b, ']');
	*out = buf_ok(&b) ? arena_strdup(req->arena, b.data) : NULL;
	buf_release(&b);
	return *out ? APP_OK : APP_ERR_NOMEM;
}

/* Only what a scan may index: a video container or a sidecar type. */
static enum app_err body_extensions(struct request *req, struct field_error *fe)
{
	const cJSON *arr = req_body(req, "extensions"), *it;
	int i = 0;

	if (!cJSON_IsArray(arr))
		return APP_OK;
	for (it = arr->child; it; it = it->next, i++)
		if (!library_extension_permitted(it->valuestring)) {
			char field[32];
			snprintf(field, sizeof(field), "extensions[%d]", i);
			return field_fail(fe, APP_ERR_UNPROCESSABLE, field,
			                  "is not a video container or a subtitle, NFO or picture type");
		}
	return APP_OK;
}

/* The whole (checked) body: the roots resolved, the lists as JSON text. */
static enum app_err body_input(struct request *req, struct lib_input *in, struct field_error *fe)
{
	bool enabled;
	enum app_err e;

	memset(in, 0, sizeof(*in));
	in->name = req_body_str(req, "name");
	in->type = req_body_str(req, "type");
	in->visibility = req_body_str(req, "visibility");
	in->language = req_body_str(req, "metadata_language");
	in->enabled = req_body_bool(req, "enabled", &enabled) ? enabled : -1;
	if (!req_body_int(req, "scan_interval_minutes", &in->interval))
		in->interval = -1;
	in->ext_set = req_body(req, "extensions") != NULL;
	if ((e = body_extensions(req, fe)) || (e = json_list(req, "extensions", &in->ext)) ||
	    (e = json_list(req, "exclude_patterns", &in->excludes)))
		return e;
	return body_paths(req, in, fe);
}

/* Under the lock: none of in's roots may overlap a root of another
 * library (self: the library being changed, or NULL). */
static enum app_err roots_free(struct request *req, const struct lib_input *in, const char *self,
                               struct field_error *fe)
{
	const char *params[] = {self};
	PGresult *r;
	enum app_err e;

	if (!in->nroots)
		return APP_OK;
	if ((e = db_query(req->app->db, req->arena, &q_other_roots, params, &r)))
		return e;
	for (int i = 0; i < in->nroots; i++)
		for (int k = 0; k < PQntuples(r); k++) {
			enum overlap o = overlap_of(in->roots[i], PQgetvalue(r, k, 0));
			char field[32];

			if (o == OV_NONE)
				continue;
			/* which library is not said: it may be one the caller cannot see */
			snprintf(field, sizeof(field), "paths[%d]", i);
			return field_fail(fe, APP_ERR_CONFLICT, field,
			                  "%s a root of another library", overlap_word(o));
		}
	return APP_OK;
}

static enum app_err apply(struct request *req, const char *id, const struct lib_input *in,
                          struct field_error *fe)
{
	char interval[24];
	enum app_err e;

	if (in->interval >= 0)
		snprintf(interval, sizeof(interval), "%lld", (long long)in->interval);
	const char *params[] = {id,
	                        in->name,
	                        in->paths,
	                        in->enabled < 0 ? NULL
	                        : in->enabled   ? "true"
	                                        : "false",
	                        in->visibility,
	                        in->interval >= 0 ? interval : NULL,
	                        in->language,
	                        in->ext_set ? "true" : "false",
	                        in->ext,
	                        in->excludes};
	e = db_query(req->app->db, req->arena, &q_update, params, NULL);
	if (e == APP_ERR_CONFLICT &&
	    !strcmp(db_last_constraint(req->app->db), "libraries_name_idx"))
		return field_fail(fe, e, "name", "is taken by another library");
	return e;
}

/* --- handlers ------------------------------------------------------------- */

static void lib_item(struct jw *w, const PGresult *r, int row, const void *ctx)
{
	(void)ctx;
	lib_json(w, r, row);
}

enum app_err libraries_list(struct request *req, struct response *res, struct field_error *fe)
{
	static const struct page_list l = {.list = &q_list, .count = &q_count, .item = lib_item,
	                                   .key_col = LC_SORT, .id_col = LC_ID};
	const struct param_value *type = req_query(req, "type");
	struct page p;
	enum app_err e;

	if ((e = page_parse(req, &p, fe)))
		return e;
	const char *params[] = {req->who->user_id, library_sees_all_param(req),
	                        type ? type->str : NULL, NULL, NULL, NULL, NULL};
	return page_run(req, res, &p, &l, params, 3, fe);
}

static enum app_err load(struct request *req, const struct db_stmt *st, const char *id,
                         PGresult **r, struct field_error *fe)
{
	const char *params[] = {id};
	enum app_err e;

	if ((e = db_query(req->app->db, req->arena, st, params, r)))
		return e;
	return PQntuples(*r) == 1 ? APP_OK
	                          : field_fail(fe, APP_ERR_NOT_FOUND, "id", "is not a library");
}

enum app_err libraries_get(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str;
	PGresult *r;
	struct jw w;
	enum app_err e;

	if ((e = library_access_fe(req, id, "view", "id", fe)) ||
	    (e = load(req, &q_get, id, &r, fe)))
		return e;
	jw_init(&w, &res->body);
	lib_json(&w, r, 0);
	return APP_OK;
}

/* Begin a change: transaction plus the library lock. */
static enum app_err change_begin(struct request *req)
{
	enum app_err e;

	if ((e = db_begin(req->app->db)))
		return e;
	if ((e = db_query(req->app->db, req->arena, &q_lock, NULL, NULL)))
		db_rollback(req->app->db);
	return e;
}

enum app_err libraries_create(struct request *req, struct response *res, struct field_error *fe)
{
	struct lib_input in;
	PGresult *r;
	const char *id, *values;
	struct jw w;
	enum app_err e;

	if ((e = body_input(req, &in, fe)))
		return e;
	if ((e = change_begin(req)))
		return e;
	const char *ip[] = {in.name, in.type, in.paths};
	if ((e = roots_free(req, &in, NULL, fe)))
		goto fail;
	if ((e = db_query(req->app->db, req->arena, &q_insert, ip, &r))) {
		if (e == APP_ERR_CONFLICT)
			field_fail(fe, e, "name", "is taken by another library");
		goto fail;
	}
	id = arena_strdup(req->arena, PQgetvalue(r, 0, 0));
	if (!id) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	if ((e = apply(req, id, &in, fe)) || (e = load(req, &q_get, id, &r, fe)))
		goto fail;
	if (!(values = settings_text(req, r))) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	struct audit_entry a = {NULL, "library.create", "library", id, true, NULL, NULL, values};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto fail;
	res->status = 201;
	jw_init(&w, &res->body);
	lib_json(&w, r, 0);
	return APP_OK;
fail:
	db_rollback(req->app->db);
	return e;
}

enum app_err libraries_update(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str, *old, *values;
	struct lib_input in;
	PGresult *before, *after;
	struct jw w;
	enum app_err e;

	if ((e = library_access_fe(req, id, "manage", "id", fe)) ||
	    (e = body_input(req, &in, fe)))
		return e;
	if ((e = change_begin(req)))
		return e;
	if ((e = load(req, &q_get_locked, id, &before, fe)))
		goto fail;
	if (in.type && strcmp(in.type, PQgetvalue(before, 0, LC_TYPE))) {
		e = field_fail(fe, APP_ERR_CONFLICT, "type",
		               "cannot change after the library is created (it is %s)",
		               PQgetvalue(before, 0, LC_TYPE));
		goto fail;
	}
	if ((e = roots_free(req, &in, id, fe)) || (e = apply(req, id, &in, fe)) ||
	    (e = load(req, &q_get, id, &after, fe)))
		goto fail;
	if (!(old = settings_text(req, before)) || !(values = settings_text(req, after))) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	struct audit_entry a = {NULL, "library.update", "library", id, true, NULL, old, values};
	if ((e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto fail;
	jw_init(&w, &res->body);
	lib_json(&w, after, 0);
	return APP_OK;
fail:
	db_rollback(req->app->db);
	return e;
}

enum app_err libraries_delete(struct request *req, struct response *res, struct field_error *fe)
{
	const char *id = req_path(req, "id")->str, *old;
	const char *params[] = {id};
	PGresult *r, *jobs;
	enum app_err e;

	if ((e = library_access_fe(req, id, "manage", "id", fe)))
		return e;
	if ((e = change_begin(req)))
		return e;
	if ((e = load(req, &q_get_locked, id, &r, fe)) ||
	    (e = db_query(req->app->db, req->arena, &q_scan_jobs, params, &jobs)))
		goto fail;
	for (int i = 0; i < PQntuples(jobs); i++) {
		int64_t job;
		if ((e = db_get_int64(jobs, i, 0, &job)))
			goto fail;
		/* a job that finished meanwhile is fine: nothing left to stop */
		e = job_cancel(req->app->db, req->arena, job);
		if (e && e != APP_ERR_NOT_FOUND && e != APP_ERR_CONFLICT)
			goto fail;
	}
	if (!(old = settings_text(req, r))) {
		e = APP_ERR_NOMEM;
		goto fail;
	}
	struct audit_entry a = {NULL, "library.delete", "library", id, true, NULL, old, NULL};
	if ((e = db_query(req->app->db, req->arena, &q_delete, params, NULL)) ||
	    (e = audit_write(req, &a)) || (e = db_commit(req->app->db)))
		goto fail;
	res->status = 204;
	return APP_OK;
fail:
	db_rollback(req->app->db);
	return e;
}

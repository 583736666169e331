/*
 * libraries: the media libraries (SPEC §3.1), who may see them (SPEC §2.6,
 * per-library access) and their CRUD under /api/v1/libraries. Scans,
 * grants, the unmatched list and manual matches are in libraries_api.h.
 *
 * Access. A library is visible to a caller when
 *   - its visibility is 'all', or
 *   - the caller has a row in library_grants for it (any level), or
 *   - the caller "sees all": holds admin:* or libraries:update (managers).
 * An invisible library is answered 404, exactly like one that does not
 * exist, and never appears in a list or a count, so its existence does not
 * leak. Levels rank view < download < manage: a visible library gives
 * view and download to everyone who sees it; manage needs a `manage` grant
 * or seeing all. The route permission (checked by the dispatcher) comes
 * first; library_access() is the second gate.
 *
 * Paths. Every root is given absolute; a "." or ".." segment is refused,
 * duplicate and trailing slashes are dropped, then the path is resolved
 * with realpath(3) and the resolved form is stored. It must be a directory
 * this process may read and enter (access R_OK|X_OK). No root may equal,
 * lie inside or contain another root of the same library or of any other
 * library (409 naming "paths[i]"); creates and updates take the
 * LIBRARY_LOCK_KEY advisory lock so two concurrent changes cannot both pass
 * that check.
 *
 * Every change is one transaction with its audit row (library.create,
 * library.update with old and new values, library.delete with the old).
 */
#ifndef REVENGE_LIBRARY_LIBRARIES_H
#define REVENGE_LIBRARY_LIBRARIES_H

#include <stdbool.h>

#include "db/db.h"
#include "http/http.h"

/* pg_advisory_xact_lock key of every library create/update/delete
 * (0x6c69627201: "libr" + 01). */
#define LIBRARY_LOCK_KEY "465624527361"

/*
 * A SQL boolean expression: is the library whose id is the SQL expression
 * lib_col visible to the user given by parameter user_param (a uuid, e.g.
 * "$1"), where admin_param (e.g. "$2") is a boolean parameter that is true
 * when the caller sees all libraries (pass library_sees_all_param()). All
 * three are pasted into the statement text, so they must be column names
 * or "$n" placeholders, never input. Example, for a movie list:
 *
 *   "SELECT ... FROM movies m WHERE " LIBRARY_VISIBLE_SQL("m.library_id", "$1", "$2")
 *
 * with params {req->who->user_id, library_sees_all_param(req), ...}. A NULL
 * user_param value (no caller) sees only 'all' libraries.
 */
#define LIBRARY_VISIBLE_SQL(lib_col, user_param, admin_param)                                      \
	"(" admin_param "::boolean OR EXISTS (SELECT 1 FROM libraries lv WHERE lv.id = " lib_col   \
	" AND (lv.visibility = 'all' OR EXISTS (SELECT 1 FROM library_grants lg"                   \
	" WHERE lg.library_id = lv.id AND lg.user_id = " user_param "::uuid))))"

/*
 * Access checks for a principal, callable from a handler, a job or the CLI
 * (who may be NULL: nobody, who sees only open libraries and holds no
 * grant). The request forms below pass req->app->db, req->arena and
 * req->who.
 */
struct principal;

/* Does who see every library (admin:* or libraries:update)? */
bool library_sees_all_for(const struct principal *who);

/* library_access (below) for who, querying through db with results in a. */
enum app_err library_access_for(struct db *db, struct arena *a, const struct principal *who,
                                const char *library_id, const char *level);

/* library_access_for with a field_error naming field (404/403). */
enum app_err library_access_fe_for(struct db *db, struct arena *a, const struct principal *who,
                                   const char *library_id, const char *level,
                                   const char *field, struct field_error *fe);

/* Does the caller see every library (admin:* or libraries:update)? false
 * without a caller. */
bool library_sees_all(const struct request *req);

/* "true" or "false" for LIBRARY_VISIBLE_SQL's admin_param (static storage). */
const char *library_sees_all_param(const struct request *req);

/*
 * May the caller use library_id (a canonical uuid) at level "view",
 * "download" or "manage"? APP_OK; APP_ERR_NOT_FOUND when there is no such
 * library or it is invisible to the caller; APP_ERR_FORBIDDEN when it is
 * visible but the level is lacking; APP_ERR_DB. A level outside the three
 * is a programming error (APP_ERR_INTERNAL). Sets no field_error: callers
 * name their own field (typically "id").
 */
enum app_err library_access(struct request *req, const char *library_id, const char *level);

/* The same check with a field_error: 404/403 name `field` with a short
 * detail. */
enum app_err library_access_fe(struct request *req, const char *library_id, const char *level,
                               const char *field, struct field_error *fe);

/* Query parameters of GET /libraries: limit, cursor, offset, type. */
extern const struct param_spec libraries_list_query[];

/*
 * A library as the API returns it:
 *   {id, name, type, paths, enabled, visibility, scan_interval_minutes,
 *    metadata_language, extensions (null = the default list of SPEC §3.2),
 *    exclude_patterns, last_scan_at, created_at, updated_at,
 *    counts: {files, movies | series, unmatched}, scanning}
 * counts.files: present files; counts.unmatched: present files whose
 * match_status is unmatched, local or error; scanning: a scan is queued or
 * running.
 */

/* GET: the visible libraries, sorted by name (case-insensitive); ?type=
 * filters. Cursor or offset pagination. */
enum app_err libraries_list(struct request *req, struct response *res, struct field_error *fe);
/* GET {id}: 404 when absent or invisible. */
enum app_err libraries_get(struct request *req, struct response *res, struct field_error *fe);
/* POST {name, type, paths, enabled?, visibility?, scan_interval_minutes?,
 * metadata_language?, extensions?, exclude_patterns?}: 201 with the
 * library. 400 naming the field for malformed values or unknown fields;
 * 422 naming paths[i] for a root that does not exist, is not a directory,
 * is not readable or is refused by library/roots.h (outside
 * library.allowed_roots, the server's own files), 422 naming extensions[i]
 * for a type that is no video container nor sidecar; 409 naming name
 * (taken, case-insensitive) or
 * paths[i] (overlaps). The dispatcher checks the members' shapes
 * (libraries_create_body, libraries_update_body); the roots are checked
 * against the filesystem here. */
extern const struct body_field libraries_create_body[];
extern const struct body_field libraries_update_body[];
enum app_err libraries_create(struct request *req, struct response *res, struct field_error *fe);
/* PUT {id}: the same fields, each optional (absent = unchanged;
 * "extensions": null restores the default list). type cannot change (409
 * naming type). Needs manage access. 200 with the library. */
enum app_err libraries_update(struct request *req, struct response *res, struct field_error *fe);
/* DELETE {id}: cancels the job of a queued or running scan, deletes the
 * library with everything in it (files, movies, series, scans, grants).
 * Needs manage access. 204. */
enum app_err libraries_delete(struct request *req, struct response *res, struct field_error *fe);

#endif

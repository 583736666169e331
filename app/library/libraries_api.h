/*
 * libraries_api: what hangs off a library besides its settings (SPEC §3.1,
 * §2.6, §7.3): scans on demand and their history, the per-library grants,
 * the files waiting for a manual match, and the manual match itself.
 *
 * Every route checks library access (library/libraries.h) after the route
 * permission: an invisible library is 404 naming "id". Changes are one
 * transaction each, with the jobs they enqueue and their audit row.
 */
#ifndef REVENGE_LIBRARY_LIBRARIES_API_H
#define REVENGE_LIBRARY_LIBRARIES_API_H

#include "http/http.h"

/* Query parameters of the paginated lists: limit, cursor, offset. */
extern const struct param_spec libraries_page_query[];

/* The bodies of scan, grants_put and files_match, checked by the
 * dispatcher (shapes as described below). */
extern const struct body_field libraries_scan_body[];
extern const struct body_field libraries_grants_put_body[];
extern const struct body_field files_match_body[];

/*
 * POST {id}/scan {"scan_type": "full"|"incremental"|"metadata"} (the key is
 * optional, default incremental; the dispatcher wants a JSON body, so send
 * {} for the default). In one transaction: a library_scans row (queued,
 * requested_by the caller), a library.scan job (args {library_id, scan_id,
 * scan_type}, unique key "library.scan:<library_id>", default priority,
 * the request id), the row's job_id, and the audit row library.scan.
 * 202 {"scan_id", "job_id", "status": "queued"}. 409 naming "scan" when a
 * scan of the library is queued or running (or its job still is), 409
 * naming "enabled" for a disabled library. Needs view access.
 */
enum app_err libraries_scan(struct request *req, struct response *res, struct field_error *fe);

/*
 * A scan: {id, library_id, scan_type, status, job_id, requested_by,
 * files: {seen, added, changed, unchanged, missing, removed}, error_count,
 * dirs_walked, message, created_at, started_at, finished_at, duration_ms};
 * the single-scan view adds "errors" ([{path, error}], the first 100) and
 * "elapsed_ms" (so far, for a running scan; the duration once finished).
 * "errors" leaves out the files whose item the caller's parental limit
 * hides (as the unmatched list does).
 */
/* GET {id}/scans: newest first. */
enum app_err libraries_scans_list(struct request *req, struct response *res,
                                  struct field_error *fe);
/* GET {id}/scans/{scan_id}: 404 naming scan_id when it is not this
 * library's. */
enum app_err libraries_scans_get(struct request *req, struct response *res, struct field_error *fe);

/* GET {id}/permissions: items {user_id, username, level, granted_by,
 * granted_at}, sorted by username. Needs manage access. */
enum app_err libraries_grants_list(struct request *req, struct response *res,
                                   struct field_error *fe);
/* POST {id}/permissions {"user_id", "level": view|download|manage}:
 * creates (201) or changes (200) the grant, answering the item. 404
 * naming user_id for an unknown or deleted account. Audited
 * (library.grant). Library access is read from the database on every
 * request (nothing is cached), so a grant counts at once. */
enum app_err libraries_grants_put(struct request *req, struct response *res,
                                  struct field_error *fe);
/* DELETE {id}/permissions/{user_id}: 204; 404 naming user_id when there is
 * no such grant. Audited (library.revoke). */
enum app_err libraries_grants_delete(struct request *req, struct response *res,
                                     struct field_error *fe);

/* GET {id}/unmatched: present files whose match_status is unmatched, local
 * or error, oldest first: items {id, path (relative to its root), parsed
 * (the filename parser's JSON), match_status, match_confidence,
 * match_candidates (JSON or null)}. Needs view access. A file whose item
 * the caller's parental limit hides is not listed (nor counted); a file no
 * item claims counts as unrated (users/parental.h). */
enum app_err libraries_unmatched(struct request *req, struct response *res, struct field_error *fe);

/* POST /files/{id}/match {"tmdb_id": N}: in one transaction the file's
 * match_status becomes manual and a library.match job (args {file_id,
 * tmdb_id, manual: true}, priority high) is enqueued; audited
 * (library.file.match). 202 {"job_id"}. 404 naming id for an unknown file
 * or one in a library the caller cannot see; needs manage access. */
enum app_err files_match(struct request *req, struct response *res, struct field_error *fe);

#endif

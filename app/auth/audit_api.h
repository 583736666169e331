/*
 * audit_api: reading the activity log (SPEC §2.7) through
 * /api/v1/admin/activity/....
 *
 * Filters (query parameters, each optional, combined with AND):
 *   user_id        UUID of the actor
 *   action         exact action name, at most 64 bytes ("user.login")
 *   resource_type  exact, at most 64 bytes;  resource_id  exact, at most 128
 *   success        true | false
 *   from, to       RFC 3339 timestamps ("2024-05-01T12:00:00Z",
 *                  "2024-05-01T14:00:00.5+02:00"); from is inclusive, to
 *                  exclusive; to before from is 400 naming "to". A space
 *                  where the offset's '+' belongs is read as '+', since an
 *                  unencoded '+' in a query string arrives as a space.
 * Every malformed value is a 400 naming its parameter, checked here before
 * anything reaches the database.
 *
 * An entry is {id, at, user_id, action, resource_type, resource_id,
 * success, error, ip, user_agent, request_id, old_values, new_values}, the
 * last two the stored JSON as it is (or null). Lists are newest first,
 * paginated by a signed cursor over (at, id) descending, or by offset
 * (with total).
 *
 * Export writes the filtered log, newest first, as CSV (RFC 4180: header
 * row, CRLF, fields quoted when they hold a comma, quote, CR or LF; a cell
 * starting with = + - @ TAB or CR gets a leading single quote so a
 * spreadsheet does not run it as a formula) or as JSON lines (one entry per
 * line). It stops at AUDIT_EXPORT_MAX_ROWS rows, or earlier when the next
 * row would not fit in the response (server.request_memory); then
 * X-Export-Truncated: true is set. X-Export-Rows carries the row count.
 * Each export is itself logged (`audit.export`).
 */
#ifndef REVENGE_AUTH_AUDIT_API_H
#define REVENGE_AUTH_AUDIT_API_H

#include "http/http.h"

#define AUDIT_EXPORT_MAX_ROWS 100000

extern const struct param_spec audit_list_query[];     /* every filter + page */
extern const struct param_spec audit_user_query[];     /* without user_id */
extern const struct param_spec audit_resource_query[]; /* without resource_* */
extern const struct param_spec audit_stats_query[];    /* from, to */
extern const struct param_spec audit_export_query[];   /* format + every filter */

/* GET /api/v1/admin/activity */
enum app_err audit_list(struct request *req, struct response *res, struct field_error *fe);
/* GET /api/v1/admin/activity/users/{id} */
enum app_err audit_user(struct request *req, struct response *res, struct field_error *fe);
/* GET /api/v1/admin/activity/resources/{type}/{id}; type ≤ 64 and id ≤ 128
 * bytes (400 naming them). */
enum app_err audit_resource(struct request *req, struct response *res, struct field_error *fe);
/* GET /api/v1/admin/activity/stats: {from, to, total, succeeded, failed,
 * distinct_users, by_action: [{action, count, failed}]} over one snapshot;
 * by_action sorted by count (descending) then action, at most 1000. */
enum app_err audit_stats(struct request *req, struct response *res, struct field_error *fe);
/* GET /api/v1/admin/activity/export?format=csv|jsonl */
enum app_err audit_export(struct request *req, struct response *res, struct field_error *fe);

/* Size of the canonical timestamp text audit_parse_time() writes. */
#define AUDIT_TIME_TEXT 64

/* Parse an RFC 3339 timestamp (the grammar above) into canonical text
 * PostgreSQL reads exactly, "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM" (fraction
 * cut to microseconds), and microseconds since the epoch (UTC). 0, or -1
 * when s is not one (wrong shape, or a field out of range such as
 * February 30 or minute 60). */
int audit_parse_time(const char *s, char out[AUDIT_TIME_TEXT], int64_t *epoch_us);

#endif

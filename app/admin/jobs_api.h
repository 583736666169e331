/*
 * The admin jobs API (/api/v1/admin/jobs...): list and filter, detail with
 * every attempt's error, retry, cancel, queue depth by priority and state.
 *
 * It lives in app/admin, not app/jobs: app/jobs is the enqueue library the
 * FastCGI children and the worker both link, and has no HTTP in it; this
 * module is only the HTTP face of it (and of the audit log) for admins.
 */
#ifndef REVENGE_ADMIN_JOBS_API_H
#define REVENGE_ADMIN_JOBS_API_H

#include "http/http.h"

extern const struct param_spec jobs_list_query[];

enum app_err jobs_admin_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_stats(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_retry(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_cancel(struct request *req, struct response *res, struct field_error *fe);

#endif

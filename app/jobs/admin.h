/*
 * The admin jobs API (/api/v1/admin/jobs...): list and filter, detail with
 * every attempt's error, retry, cancel, queue depth by priority and state.
 */
#ifndef REVENGE_JOBS_ADMIN_H
#define REVENGE_JOBS_ADMIN_H

#include "http/http.h"

extern const struct param_spec jobs_list_query[];

enum app_err jobs_admin_list(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_stats(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_get(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_retry(struct request *req, struct response *res, struct field_error *fe);
enum app_err jobs_admin_cancel(struct request *req, struct response *res, struct field_error *fe);

#endif

/*
 * health: liveness, readiness, start-up and metrics endpoints, and the
 * public server information clients read before logging in.
 */
#ifndef REVENGE_HTTP_HEALTH_H
#define REVENGE_HTTP_HEALTH_H

#include "http/http.h"

extern const struct param_spec health_ready_query[];

enum app_err health_live(struct request *req, struct response *res, struct field_error *fe);
enum app_err health_ready(struct request *req, struct response *res, struct field_error *fe);
enum app_err health_startup(struct request *req, struct response *res, struct field_error *fe);
enum app_err health_metrics(struct request *req, struct response *res, struct field_error *fe);
enum app_err system_info(struct request *req, struct response *res, struct field_error *fe);
/* The OpenAPI description of this build (docs/openapi.yaml), as
 * application/yaml with an ETag. */
enum app_err system_openapi(struct request *req, struct response *res, struct field_error *fe);

#endif

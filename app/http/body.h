/*
 * body: checking a JSON request body against the route's declared members
 * (struct body_field in http/http.h), the way query_parse checks a query
 * string against its param_spec list.
 */
#ifndef REVENGE_HTTP_BODY_H
#define REVENGE_HTTP_BODY_H

#include "http/http.h"

/*
 * Check obj, a JSON object, against spec ({NULL}-terminated). Members are
 * checked in the table's order after the unknown-member check, and the
 * first failure is reported: APP_ERR_VALIDATION with fe naming the member
 * as a path ("paths[2]", "filter.kind") and a detail sentence;
 * APP_ERR_BAD_REQUEST naming "body" when obj is not an object. UUID values
 * are rewritten in lower case inside obj; nothing else is changed.
 */
enum app_err body_validate(const struct body_field *spec, cJSON *obj, struct field_error *fe);

#endif

/*
 * The /api/v1/users/... and /api/v1/admin/users/... endpoints.
 */
#ifndef REVENGE_USERS_HANDLERS_H
#define REVENGE_USERS_HANDLERS_H

#include "http/http.h"

enum app_err users_me(struct request *req, struct response *res, struct field_error *fe);

#endif

/*
 * rbac: roles, their permissions, and who holds them (SPEC §2.6), behind
 * /api/v1/rbac/....
 *
 * The dispatcher checks the route permission (users:get to read,
 * users:update to change). On top of it every change obeys these rules,
 * enforced here because they depend on the role and the caller:
 *
 *   1. Containment. To create a role, replace a role's permissions, delete
 *      a role, assign a role or unassign a role, the caller must hold every
 *      permission the role carries: before and after the change for a
 *      replacement, the current set for delete/assign/unassign. admin:*
 *      holds them all. (403 naming the permission's field.)
 *   2. admin:* and the `admin` role. Only a holder of admin:* may create,
 *      change or delete a role carrying admin:*, or assign or unassign a
 *      role carrying it (the built-in `admin` role always counts). (403)
 *   3. Nobody changes their own roles: assigning or unassigning on one's
 *      own account is 403, whatever one holds.
 *   4. Built-in roles (is_builtin) cannot be deleted or have their
 *      permissions replaced (409).
 *   5. The built-in `admin` role keeps at least one active, undeleted
 *      holder: an unassignment that would leave none is 409 (unless it had
 *      none to begin with).
 *
 * Changes run in one transaction under a transaction-scoped advisory lock
 * (RBAC_LOCK_KEY) so concurrent changes cannot both pass rule 5, with the
 * audit row (admin.role.create | update | delete | assign | unassign,
 * old and new values) inside it. Refusals by these rules are audited as
 * failures. After the commit, the cached permission sets (Redis) of every
 * affected user are dropped, so their next request sees the change.
 */
#ifndef REVENGE_AUTH_RBAC_H
#define REVENGE_AUTH_RBAC_H

#include "http/http.h"

/* pg_advisory_xact_lock key taken by every RBAC change ("rbac" + 01). */
#define RBAC_LOCK_KEY "7262616301"

/* Query parameters of the paginated lists: limit, cursor, offset. */
extern const struct param_spec rbac_page_query[];

/* The bodies of create, set_permissions and user_roles_add, as the
 * dispatcher checks them (shapes below; names of permissions and roles
 * are looked up by the handlers). */
extern const struct body_field rbac_roles_create_body[];
extern const struct body_field rbac_roles_set_permissions_body[];
extern const struct body_field rbac_user_roles_add_body[];
extern const struct body_field rbac_roles_set_mfa_body[];

/* Lists answer {"items": […], "next_cursor"} (or total/limit/offset in
 * offset mode), sorted by name. A role is
 *   {id, name, description, is_builtin, permissions: [sorted names],
 *    user_count (live accounts holding it), mfa_required, created_at,
 *    updated_at}. */
enum app_err rbac_roles_list(struct request *req, struct response *res, struct field_error *fe);
/* POST {name, description?, permissions?}: name ^[a-z][a-z0-9_-]{1,31}$
 * (409 when taken), description ≤ 500 bytes without control characters,
 * permissions an array of distinct known names. 201 with the role. */
enum app_err rbac_roles_create(struct request *req, struct response *res, struct field_error *fe);
enum app_err rbac_roles_get(struct request *req, struct response *res, struct field_error *fe);
/* 204; holders lose the role. */
enum app_err rbac_roles_delete(struct request *req, struct response *res, struct field_error *fe);
/* PUT {permissions: […]}: replaces the whole set; 200 with the role. */
enum app_err rbac_roles_set_permissions(struct request *req, struct response *res,
                                        struct field_error *fe);
/* PUT {mfa_required}: whether the role's holders must log in with a
 * second factor (auth/mfa.h); built-in roles included; rules 1 and 2
 * apply; audited as admin.role.update. 200 with the role. */
enum app_err rbac_roles_set_mfa(struct request *req, struct response *res, struct field_error *fe);
/* Items {name, description}. */
enum app_err rbac_permissions_list(struct request *req, struct response *res,
                                   struct field_error *fe);
/* A user's roles: items are roles plus granted_at and granted_by. 404 for
 * an unknown or deleted account. */
enum app_err rbac_user_roles_list(struct request *req, struct response *res,
                                  struct field_error *fe);
/* POST {role}: 201 with {user_id, roles: [names]}; 409 when already held;
 * 400 naming "role" when there is no such role. */
enum app_err rbac_user_roles_add(struct request *req, struct response *res, struct field_error *fe);
/* 204; 404 when the account does not hold the role. */
enum app_err rbac_user_roles_remove(struct request *req, struct response *res,
                                    struct field_error *fe);

/*
 * May req->who hand out the role called `role` (rules 1 and 2)? For other
 * modules that grant roles indirectly (the auth.default_role setting).
 * APP_OK; APP_ERR_VALIDATION naming `field` when there is no such role;
 * APP_ERR_FORBIDDEN naming `field` when the caller may not grant it;
 * APP_ERR_DB.
 */
enum app_err rbac_check_grantable(struct request *req, const char *role, const char *field,
                                  struct field_error *fe);

#endif

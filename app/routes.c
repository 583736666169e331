/*
 * The route table: every endpoint of the API, its permission and its input
 * schema, in one place. docs/openapi.yaml must list exactly these routes
 * (tests/unit/test_openapi.c checks both ways).
 */
#include "app.h"
#include "auth/apikeys.h"
#include "auth/audit_api.h"
#include "auth/handlers.h"
#include "auth/rbac.h"
#include "auth/sessions_api.h"
#include "http/health.h"
#include "jobs/admin.h"
#include "settings/handlers.h"
#include "users/handlers.h"

const struct route app_routes[] = {
	{HTTP_GET, "/healthz", "health.live", PERM_PUBLIC, NULL, BODY_NONE, health_live,
	 "Liveness: the process answers."},
	{HTTP_GET, "/readyz", "health.ready", PERM_PUBLIC, health_ready_query, BODY_NONE,
	 health_ready, "Readiness: database and Redis reachable, migrations current."},
	{HTTP_GET, "/startupz", "health.startup", PERM_PUBLIC, NULL, BODY_NONE, health_startup,
	 "Start-up: this process has seen a current schema."},
	{HTTP_GET, "/metrics", "health.metrics", PERM_PUBLIC, NULL, BODY_NONE, health_metrics,
	 "Prometheus metrics summed over the pool (loopback only)."},
	{HTTP_GET, "/api/v1/system/info", "system.info", PERM_PUBLIC, NULL, BODY_NONE,
	 system_info, "Public server information."},

	/* --- auth --- */
	{HTTP_POST, "/api/v1/auth/register", "auth.register", PERM_PUBLIC, NULL, BODY_JSON,
	 auth_register, "Create an account (when registration is enabled).", ROUTE_AUTH_LIMIT},
	{HTTP_POST, "/api/v1/auth/login", "auth.login", PERM_PUBLIC, NULL, BODY_JSON, auth_login,
	 "Log in with username or email and password.", ROUTE_AUTH_LIMIT},
	{HTTP_POST, "/api/v1/auth/logout", "auth.logout", "profile:read", NULL, BODY_NONE,
	 auth_logout, "End the current session.", 0},
	{HTTP_POST, "/api/v1/auth/refresh", "auth.refresh", PERM_PUBLIC, NULL, BODY_JSON,
	 auth_refresh, "Exchange a refresh token for a new session.", ROUTE_AUTH_LIMIT},
	{HTTP_POST, "/api/v1/auth/change-password", "auth.change_password", "profile:update", NULL,
	 BODY_JSON, auth_change_password, "Change one's password; other sessions end.",
	 ROUTE_AUTH_LIMIT},

	/* --- users --- */
	{HTTP_GET, "/api/v1/users/me", "users.me", "profile:read", NULL, BODY_NONE, users_me,
	 "The caller's own account.", 0},
	/* --- users & sessions & api keys (helper) --- */
	{HTTP_PUT, "/api/v1/users/me", "users.update_me", "profile:update", NULL, BODY_JSON,
	 users_update_me, "Change one's display name, email, locale or time zone.", 0},
	{HTTP_GET, "/api/v1/users/me/preferences", "users.get_preferences", "profile:read", NULL,
	 BODY_NONE, users_get_preferences, "The caller's preferences.", 0},
	{HTTP_PUT, "/api/v1/users/me/preferences", "users.update_preferences", "profile:update",
	 NULL, BODY_JSON, users_update_preferences, "Change some of the caller's preferences.", 0},
	{HTTP_GET, "/api/v1/users/{id:uuid}", "users.get", "profile:read", NULL, BODY_NONE,
	 users_get, "Public profile of an account.", 0},
	{HTTP_GET, "/api/v1/admin/users", "admin.users.list", "users:list", users_admin_list_query,
	 BODY_NONE, users_admin_list, "List and search accounts.", 0},
	{HTTP_GET, "/api/v1/admin/users/{id:uuid}", "admin.users.get", "users:get", NULL,
	 BODY_NONE, users_admin_get, "One account, as admins see it.", 0},
	{HTTP_PATCH, "/api/v1/admin/users/{id:uuid}", "admin.users.update", "users:update", NULL,
	 BODY_JSON, users_admin_update, "Enable, disable or change an account.", 0},
	{HTTP_DELETE, "/api/v1/admin/users/{id:uuid}", "admin.users.delete", "users:delete", NULL,
	 BODY_NONE, users_admin_delete, "Delete an account; its sessions and keys end.", 0},
	{HTTP_GET, "/api/v1/sessions", "sessions.list", "profile:read", sessions_list_query,
	 BODY_NONE, sessions_list, "The caller's live sessions.", 0},
	{HTTP_DELETE, "/api/v1/sessions", "sessions.revoke_all", "profile:update", NULL, BODY_NONE,
	 sessions_revoke_all, "End every session of the caller, this one included.", 0},
	{HTTP_GET, "/api/v1/sessions/current", "sessions.current", "profile:read", NULL, BODY_NONE,
	 sessions_current, "The session this request was made with.", 0},
	{HTTP_DELETE, "/api/v1/sessions/current", "sessions.revoke_current", "profile:update", NULL,
	 BODY_NONE, sessions_revoke_current, "End the session this request was made with.", 0},
	{HTTP_DELETE, "/api/v1/sessions/{id:uuid}", "sessions.revoke", "profile:update", NULL,
	 BODY_NONE, sessions_revoke, "End one of the caller's sessions.", 0},
	{HTTP_GET, "/api/v1/apikeys", "apikeys.list", "profile:read", apikeys_list_query, BODY_NONE,
	 apikeys_list, "The caller's live API keys.", 0},
	{HTTP_POST, "/api/v1/apikeys", "apikeys.create", "profile:update", NULL, BODY_JSON,
	 apikeys_create, "Create an API key; the key is shown once.", 0},
	{HTTP_GET, "/api/v1/apikeys/{id:uuid}", "apikeys.get", "profile:read", NULL, BODY_NONE,
	 apikeys_get, "One of the caller's API keys.", 0},
	{HTTP_DELETE, "/api/v1/apikeys/{id:uuid}", "apikeys.revoke", "profile:update", NULL,
	 BODY_NONE, apikeys_revoke, "Revoke one of the caller's API keys.", 0},
	/* --- end users & sessions & api keys (helper) --- */
	/* --- rbac & settings & audit (helper) --- */
	{HTTP_GET, "/api/v1/rbac/roles", "rbac.roles.list", "users:get", rbac_page_query, BODY_NONE,
	 rbac_roles_list, "Roles with their permissions and holder counts.", 0},
	{HTTP_POST, "/api/v1/rbac/roles", "rbac.roles.create", "users:update", NULL, BODY_JSON,
	 rbac_roles_create, "Create a custom role.", 0},
	{HTTP_GET, "/api/v1/rbac/roles/{name:str}", "rbac.roles.get", "users:get", NULL, BODY_NONE,
	 rbac_roles_get, "One role with its permissions.", 0},
	{HTTP_DELETE, "/api/v1/rbac/roles/{name:str}", "rbac.roles.delete", "users:update", NULL,
	 BODY_NONE, rbac_roles_delete, "Delete a custom role; its holders lose it.", 0},
	{HTTP_PUT, "/api/v1/rbac/roles/{name:str}/permissions", "rbac.roles.set_permissions",
	 "users:update", NULL, BODY_JSON, rbac_roles_set_permissions,
	 "Replace a custom role's permissions.", 0},
	{HTTP_GET, "/api/v1/rbac/permissions", "rbac.permissions.list", "users:get",
	 rbac_page_query, BODY_NONE, rbac_permissions_list, "Every permission with its meaning.",
	 0},
	{HTTP_GET, "/api/v1/rbac/users/{id:uuid}/roles", "rbac.user_roles.list", "users:get",
	 rbac_page_query, BODY_NONE, rbac_user_roles_list, "The roles an account holds.", 0},
	{HTTP_POST, "/api/v1/rbac/users/{id:uuid}/roles", "rbac.user_roles.add", "users:update",
	 NULL, BODY_JSON, rbac_user_roles_add, "Assign a role to an account.", 0},
	{HTTP_DELETE, "/api/v1/rbac/users/{id:uuid}/roles/{role:str}", "rbac.user_roles.remove",
	 "users:update", NULL, BODY_NONE, rbac_user_roles_remove,
	 "Take a role away from an account.", 0},
	{HTTP_GET, "/api/v1/settings/server", "settings.server.list", "settings:read", NULL,
	 BODY_NONE, settings_server_list, "Every server setting (secrets masked).", 0},
	{HTTP_GET, "/api/v1/settings/server/{key:str}", "settings.server.get", "settings:read",
	 NULL, BODY_NONE, settings_server_get, "One server setting (secrets masked).", 0},
	{HTTP_PUT, "/api/v1/settings/server/{key:str}", "settings.server.put", "settings:write",
	 NULL, BODY_JSON, settings_server_put, "Change a server setting.", 0},
	{HTTP_GET, "/api/v1/settings/public", "settings.public", PERM_PUBLIC, NULL, BODY_NONE,
	 settings_public_get, "The public server settings, for clients before login.", 0},
	{HTTP_GET, "/api/v1/settings/user", "settings.user.list", "settings:user_read", NULL,
	 BODY_NONE, settings_user_list, "Every setting of the caller.", 0},
	{HTTP_GET, "/api/v1/settings/user/{key:str}", "settings.user.get", "settings:user_read",
	 NULL, BODY_NONE, settings_user_get, "One setting of the caller.", 0},
	{HTTP_PUT, "/api/v1/settings/user/{key:str}", "settings.user.put", "settings:user_write",
	 NULL, BODY_JSON, settings_user_put, "Create or replace one setting of the caller.", 0},
	{HTTP_DELETE, "/api/v1/settings/user/{key:str}", "settings.user.delete",
	 "settings:user_write", NULL, BODY_NONE, settings_user_delete,
	 "Remove one setting of the caller.", 0},
	{HTTP_GET, "/api/v1/admin/activity", "audit.list", "audit:read", audit_list_query,
	 BODY_NONE, audit_list, "Search the activity log, newest first.", 0},
	{HTTP_GET, "/api/v1/admin/activity/users/{id:uuid}", "audit.user", "audit:read",
	 audit_user_query, BODY_NONE, audit_user, "The activity of one account.", 0},
	{HTTP_GET, "/api/v1/admin/activity/resources/{type:str}/{id:str}", "audit.resource",
	 "audit:read", audit_resource_query, BODY_NONE, audit_resource,
	 "The activity concerning one resource.", 0},
	{HTTP_GET, "/api/v1/admin/activity/stats", "audit.stats", "audit:read", audit_stats_query,
	 BODY_NONE, audit_stats, "Counts of the activity log by action and outcome.", 0},
	{HTTP_GET, "/api/v1/admin/activity/export", "audit.export", "audit:export",
	 audit_export_query, BODY_NONE, audit_export, "Download the activity log as CSV or JSON lines.",
	 0},
	/* --- end rbac & settings & audit (helper) --- */

	/* --- jobs --- */
	{HTTP_GET, "/api/v1/admin/jobs", "jobs.list", "jobs:list", jobs_list_query, BODY_NONE,
	 jobs_admin_list, "Background jobs, newest first, filtered by kind, state and priority.", 0},
	{HTTP_GET, "/api/v1/admin/jobs/stats", "jobs.stats", "jobs:list", NULL, BODY_NONE,
	 jobs_admin_stats, "Queue depth by priority and state.", 0},
	{HTTP_GET, "/api/v1/admin/jobs/{id:int}", "jobs.get", "jobs:get", NULL, BODY_NONE,
	 jobs_admin_get, "One job with every attempt's error.", 0},
	{HTTP_POST, "/api/v1/admin/jobs/{id:int}/retry", "jobs.retry", "jobs:retry", NULL, BODY_NONE,
	 jobs_admin_retry, "Run a discarded or cancelled job again.", 0},
	{HTTP_POST, "/api/v1/admin/jobs/{id:int}/cancel", "jobs.cancel", "jobs:cancel", NULL, BODY_NONE,
	 jobs_admin_cancel, "Cancel a job; a running one is asked to stop.", 0},
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);

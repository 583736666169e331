/*
 * The route table: every endpoint of the API, its permission and its input
 * schema, in one place. docs/openapi.yaml must list exactly these routes
 * (tests/unit/test_openapi.c checks both ways).
 */
#include "app.h"
#include "auth/handlers.h"
#include "http/health.h"
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
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);

/*
 * The route table: every endpoint of the API, its permission and its input
 * schema, in one place. docs/openapi.yaml must list exactly these routes
 * (tests/unit/test_openapi.c checks both ways).
 */
#include "app.h"
#include "http/health.h"

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
};

const size_t app_routes_count = sizeof(app_routes) / sizeof(app_routes[0]);

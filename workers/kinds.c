#include "kinds.h"

#include <string.h>

#include "core/json.h"
#include "library_kinds.h"
#include "maintenance.h" /* maintenance kinds (leader engineer) */
#include "notify_kinds.h"
#include "mail_kinds.h"

/*
 * Every kind this worker runs. A kind not listed here is discarded when
 * claimed ("unknown kind"); keep the names in step with what the
 * application enqueues.
 */
static const struct job_kind kinds[] = {
	{"noop", kind_noop, 0, false},
	/* --- maintenance kinds (leader engineer) --- */
	{"maintenance.retention", maintenance_retention, 0, false},
	{"maintenance.sessions", maintenance_sessions, 0, false},
	/* --- end of maintenance kinds --- */
	{"library.scan", kind_library_scan, 6 * 3600 * 1000LL, false},
	{"library.scan_path", kind_library_scan_path, 30 * 60 * 1000LL, false},
	{"integration.event", kind_integration_event, 30 * 60 * 1000LL, false},
	{"integration.sync", kind_integration_sync, 30 * 60 * 1000LL, false},
	{"integration.sync_due", kind_integration_sync_due, 0, false},
	{"library.match", kind_library_match, 5 * 60 * 1000LL, false},
	{"image.fetch", kind_image_fetch, 2 * 60 * 1000LL, false},
	{"image.local", kind_image_local, 2 * 60 * 1000LL, false},
	{"library.scan_due", kind_library_scan_due, 0, false},
	{"metadata.refresh", kind_metadata_refresh, 0, false},
	{"metadata.refresh_stale", kind_metadata_refresh_stale, 0, false},
	/* above notifications.timeout's maximum (5 min): the request times out first */
	{"notify.deliver", kind_notify_deliver, 6 * 60 * 1000LL, false},
	/* above mail.timeout's maximum (5 min) */
	{"mail.send", kind_mail_send, 6 * 60 * 1000LL, false},
};

#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

static bool debug_on;

int kinds_slot(const char *name)
{
	const struct job_kind *k = name ? kinds_find(name) : NULL;

	if (k && k >= kinds && k < kinds + NKINDS)
		return (int)(k - kinds);
	if (k && k >= debug_kinds && k < debug_kinds + debug_kinds_count &&
	    NKINDS + (k - debug_kinds) < KINDS_SLOTS - 1)
		return NKINDS + (int)(k - debug_kinds);
	return KINDS_SLOTS - 1;
}

const char *kinds_slot_name(int i)
{
	if (i >= 0 && i < NKINDS)
		return kinds[i].kind;
	if (i >= NKINDS && i - NKINDS < debug_kinds_count && i < KINDS_SLOTS - 1)
		return debug_kinds[i - NKINDS].kind;
	return "other";
}

const char *kinds_name(int i)
{
	return i >= 0 && i < NKINDS ? kinds[i].kind : NULL;
}

void kinds_enable_debug(bool on)
{
	debug_on = on;
}

bool kinds_debug_enabled(void)
{
	return debug_on;
}

const struct job_kind *kinds_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kinds[i].kind, name))
			return &kinds[i];
	for (int i = 0; debug_on && i < debug_kinds_count; i++)
		if (!strcmp(debug_kinds[i].kind, name))
			return &debug_kinds[i];
	return NULL;
}

enum job_outcome kind_noop(struct job_ctx *ctx, const struct job *job, struct job_result *res)
{
	int64_t ms = 0;

	if (json_get_int(job->args, "sleep_ms", false, 0, 24LL * 3600 * 1000, &ms, NULL))
		return job_error(res, JOB_FAIL, "args.sleep_ms must be an integer between 0 and 86400000");
	if (ms > 0 && job_sleep(ctx, ms) < 0)
		return job_error(res, JOB_CANCEL, "stopped while sleeping");
	return JOB_OK;
}

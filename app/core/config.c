/*
 * config: one table drives parsing, validation, masking and the dump.
 *
 * Loading works on a scratch struct and copies it out only on success, so a
 * caller never sees a half-applied configuration. Every value, default
 * included, goes through the same parser, so a bad default fails loudly in
 * the first test rather than in production.
 *
 * Values from the file or the environment are echoed in error messages
 * (escaped, cut to 64 bytes) except for secret keys, which are never echoed.
 * Copies of the file text and of secret values are wiped before release.
 */
#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CONFIG_MAX_FILE (1024 * 1024)
#define CONFIG_MAX_LINE 4096
#define CONFIG_ECHO_MAX 64
#define ENV_PREFIX "REVENGE_"

#define KIB 1024LL
#define MIB (1024LL * KIB)
#define GIB (1024LL * MIB)
#define SEC 1000LL
#define MINUTE (60LL * SEC)
#define HOUR (60LL * MINUTE)

#define OFF(field) offsetof(struct config, field)

/* Order matches enum log_level / enum log_format: the index is stored. */
static const char *const level_choices[] = {"debug", "info", "warn", "error", NULL};
static const char *const format_choices[] = {"json", "logfmt", NULL};
static const char *const storage_choices[] = {"local", "s3", NULL};
/* the order of enum notify_tls (notify/send.h) */
static const char *const mail_security_choices[] = {"starttls", "starttls_optional", "tls", "none",
                                                    NULL};

/* Grouped by section: config_dump() starts a [section] whenever it changes. */
#define CONFIG_STRING_MAX 2048

static const struct config_key keys[] = {
    {"server", "socket", CFG_STRING, OFF(server_socket), "/run/revenge/fcgi.sock", 0, 0, NULL, 0,
     "Unix socket path, or host:port for TCP, the FastCGI master listens on (ignored under "
     "systemd socket activation)."},
    {"server", "socket_mode", CFG_OCTAL, OFF(server_socket_mode), "0660", 0, 0777, NULL, 0,
     "Permissions of the unix socket."},
    {"server", "backlog", CFG_INT, OFF(server_backlog), "128", 1, 65535, NULL, 0,
     "listen(2) backlog."},
    {"server", "pool_size", CFG_INT, OFF(server_pool_size), "4", 1, 1024, NULL, 0,
     "Number of pre-forked FastCGI children (the concurrency of one host)."},
    {"server", "max_requests", CFG_INT, OFF(server_max_requests), "10000", 0, 1000000000, NULL, 0,
     "Recycle a child after this many requests (0 = never)."},
    {"server", "drain_timeout", CFG_DURATION, OFF(server_drain_timeout), "10s", 0, HOUR, NULL, 0,
     "How long SIGTERM waits for in-flight requests before killing children."},
    {"server", "max_body_size", CFG_SIZE, OFF(server_max_body_size), "1m", KIB, GIB, NULL, 0,
     "Largest request body accepted (413 beyond)."},
    {"server", "request_memory", CFG_SIZE, OFF(server_request_memory), "16m", 64 * KIB, GIB, NULL,
     0, "Cap on one request's arena."},
    {"http", "server_name", CFG_STRING, OFF(http_server_name), "localhost", 0, 0, NULL, 0,
     "Public host name of the server: nginx's server_name and the host plain HTTP is redirected "
     "to."},
    {"http", "cors_origins", CFG_STRING, OFF(http_cors_origins), "", 0, 0, NULL, 0,
     "Comma-separated origins (scheme://host[:port]) whose web pages may call the API with "
     "credentials; unset, none may."},
    {"http", "cors_max_age", CFG_DURATION, OFF(http_cors_max_age), "10m", 0, 24 * HOUR, NULL, 0,
     "How long a browser may keep a preflight answer."},
    {"http", "public_url", CFG_STRING, OFF(http_public_url), "", 0, 0, NULL, 0,
     "The origin (scheme://host[:port]) browsers reach the server at, for addresses given to "
     "others (the single sign-on callback); unset, https://<server_name>."},
    {"database", "url", CFG_STRING, OFF(database_url), "postgresql:///revenge", 0, 0, NULL,
     CFG_SECRET, "libpq connection URI or key=value string."},
    {"database", "connect_timeout", CFG_DURATION, OFF(database_connect_timeout), "5s", SEC,
     5 * MINUTE, NULL, 0, "How long to wait for a PostgreSQL connection to open."},
    {"database", "statement_timeout", CFG_DURATION, OFF(database_statement_timeout), "30s", 0, HOUR,
     NULL, 0, "Server-side statement_timeout for every query (0 = none)."},
    {"redis", "url", CFG_STRING, OFF(redis_url), "redis://127.0.0.1:6379/0", 0, 0, NULL, CFG_SECRET,
     "redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock[?db=N]."},
    {"redis", "timeout", CFG_DURATION, OFF(redis_timeout), "500ms", 10, MINUTE, NULL, 0,
     "Connect and command timeout for Redis."},
    {"redis", "prefix", CFG_STRING, OFF(redis_prefix), "revenge:", 0, 0, NULL, 0,
     "Prefix of every Redis key."},
    {"log", "level", CFG_ENUM, OFF(log_level), "info", 0, 0, level_choices, 0,
     "Lowest level that is logged."},
    {"log", "format", CFG_ENUM, OFF(log_format), "json", 0, 0, format_choices, 0,
     "Log line format."},
    {"metrics", "enabled", CFG_BOOL, OFF(metrics_enabled), "true", 0, 0, NULL, 0,
     "Serve /metrics."},
    {"auth", "argon2_memory", CFG_SIZE, OFF(auth_argon2_memory), "64m", 8 * KIB, GIB, NULL, 0,
     "Argon2id memory cost per password hash (changing it rehashes passwords at their next login)."},
    {"auth", "argon2_iterations", CFG_INT, OFF(auth_argon2_iterations), "3", 1, 20, NULL, 0,
     "Argon2id time cost (passes over the memory)."},
    {"auth", "argon2_parallelism", CFG_INT, OFF(auth_argon2_parallelism), "1", 1, 16, NULL, 0,
     "Argon2id lanes."},
    {"auth", "session_lifetime", CFG_DURATION, OFF(auth_session_lifetime), "24h", MINUTE,
     365 * 24 * HOUR, NULL, 0, "How long an access token is valid."},
    {"auth", "refresh_lifetime", CFG_DURATION, OFF(auth_refresh_lifetime), "720h", MINUTE,
     365 * 24 * HOUR, NULL, 0, "How long a refresh token is valid."},
    {"auth", "session_cache_ttl", CFG_DURATION, OFF(auth_session_cache_ttl), "60s", SEC, HOUR, NULL,
     0, "How long Redis caches a session or a permission set."},
    {"auth", "max_sessions", CFG_INT, OFF(auth_max_sessions), "10", 1, 1000, NULL, 0,
     "Live sessions per user; the oldest is revoked beyond it."},
    {"auth", "lockout_attempts", CFG_INT, OFF(auth_lockout_attempts), "5", 1, 1000, NULL, 0,
     "Failed logins for one account within lockout_window that lock it."},
    {"auth", "lockout_ip_attempts", CFG_INT, OFF(auth_lockout_ip_attempts), "50", 1, 100000, NULL,
     0, "Failed logins from one client address within lockout_window that block its logins."},
    {"auth", "lockout_window", CFG_DURATION, OFF(auth_lockout_window), "15m", MINUTE, 24 * HOUR,
     NULL, 0, "The window failed logins are counted in; a lock lasts for the rest of it."},
    {"auth", "cookie_secure", CFG_BOOL, OFF(auth_cookie_secure), "true", 0, 0, NULL, 0,
     "Mark session cookies Secure (HTTPS only)."},
    {"auth", "secret_key", CFG_STRING, OFF(auth_secret_key), "", 0, 0, NULL, CFG_SECRET,
     "64 hex digits (32 random bytes): the key secrets kept at rest are sealed with (AES-256-GCM; "
     "the API keys of integrations, the secrets of notification channels, the TOTP secrets of MFA). "
     "Unset, such secrets cannot be stored."},
    {"ratelimit", "enabled", CFG_BOOL, OFF(ratelimit_enabled), "true", 0, 0, NULL, 0,
     "Limit requests per client IP (429 with Retry-After beyond)."},
    {"ratelimit", "rate", CFG_INT, OFF(ratelimit_rate), "10", 1, 1000000, NULL, 0,
     "Requests per second per IP, all routes."},
    {"ratelimit", "burst", CFG_INT, OFF(ratelimit_burst), "20", 1, 1000000, NULL, 0,
     "Requests an IP may make at once before the rate applies."},
    {"ratelimit", "auth_rate", CFG_INT, OFF(ratelimit_auth_rate), "1", 1, 1000000, NULL, 0,
     "Requests per second per IP on the authentication routes."},
    {"ratelimit", "auth_burst", CFG_INT, OFF(ratelimit_auth_burst), "5", 1, 1000000, NULL, 0,
     "Burst on the authentication routes."},
    {"worker", "shutdown_timeout", CFG_DURATION, OFF(worker_shutdown_timeout), "30s", 0, HOUR, NULL,
     0, "How long SIGTERM lets running jobs finish."},
    {"worker", "executors", CFG_INT, OFF(worker_executors), "0", 0, 256, NULL, 0,
     "Executors that take jobs of any priority, highest first (0 = 2 x CPU cores)."},
    {"worker", "reserved_critical", CFG_INT, OFF(worker_reserved[0]), "1", 0, 64, NULL, 0,
     "Executors that take only critical jobs, so they never wait behind others."},
    {"worker", "reserved_high", CFG_INT, OFF(worker_reserved[1]), "0", 0, 64, NULL, 0,
     "Executors that take only high-priority jobs."},
    {"worker", "reserved_default", CFG_INT, OFF(worker_reserved[2]), "0", 0, 64, NULL, 0,
     "Executors that take only default-priority jobs."},
    {"worker", "reserved_low", CFG_INT, OFF(worker_reserved[3]), "0", 0, 64, NULL, 0,
     "Executors that take only low-priority jobs."},
    {"worker", "reserved_bulk", CFG_INT, OFF(worker_reserved[4]), "1", 0, 64, NULL, 0,
     "Executors that take only bulk jobs, so bulk work never starves."},
    {"worker", "fetch_batch", CFG_INT, OFF(worker_fetch_batch), "100", 1, 1000, NULL, 0,
     "Most jobs one claim takes; claims grow toward it while jobs are short and shrink when they are long."},
    {"worker", "poll_interval", CFG_DURATION, OFF(worker_poll_interval), "1s", 10, MINUTE, NULL, 0,
     "How often idle executors look for due jobs when no notification arrives."},
    {"worker", "lease", CFG_DURATION, OFF(worker_lease), "30s", SEC, HOUR, NULL, 0,
     "How long a running job stays claimed without a heartbeat; then it is rescued and retried."},
    {"worker", "heartbeat", CFG_DURATION, OFF(worker_heartbeat), "10s", 100, 10 * MINUTE, NULL, 0,
     "How often a worker renews the leases of its running jobs."},
    {"worker", "job_timeout", CFG_DURATION, OFF(worker_job_timeout), "10m", SEC, 24 * HOUR, NULL, 0,
     "Timeout of a job whose kind sets none."},
    {"retention", "audit_days", CFG_INT, OFF(retention_audit_days), "90", 1, 36500, NULL, 0,
     "Days the activity log is kept."},
    {"retention", "completed_jobs_days", CFG_INT, OFF(retention_completed_jobs_days), "7", 0, 36500,
     NULL, 0, "Days completed jobs are kept (0 = removed at the next cleanup)."},
    {"retention", "discarded_jobs_days", CFG_INT, OFF(retention_discarded_jobs_days), "30", 0, 36500,
     NULL, 0, "Days discarded and cancelled jobs are kept."},
    {"retention", "scan_history_days", CFG_INT, OFF(retention_scan_history_days), "30", 1, 36500,
     NULL, 0, "Days library scan history is kept."},
    {"retention", "expired_sessions_days", CFG_INT, OFF(retention_expired_sessions_days), "7", 0,
     36500, NULL, 0, "Days expired or revoked sessions and stale login failures are kept."},
    {"schedule", "retention", CFG_STRING, OFF(schedule_retention), "17 3 * * *", 0, 0, NULL, 0,
     "Cron expression (UTC) of the retention cleanup (activity log, jobs, scan history)."},
    {"schedule", "session_cleanup", CFG_STRING, OFF(schedule_session_cleanup), "*/15 * * * *", 0,
     0, NULL, 0, "Cron expression (UTC) of the expired session and token cleanup."},
    {"schedule", "library_scans", CFG_STRING, OFF(schedule_library_scans), "*/5 * * * *", 0, 0,
     NULL, 0, "Cron expression (UTC) of the check that starts each library's periodic scan when due."},
    {"schedule", "metadata_refresh", CFG_STRING, OFF(schedule_metadata_refresh), "41 4 * * *", 0,
     0, NULL, 0, "Cron expression (UTC) of the refresh of items whose metadata is stale."},
    {"schedule", "integration_sync", CFG_STRING, OFF(schedule_integration_sync), "*/15 * * * *", 0,
     0, NULL, 0,
     "Cron expression (UTC) of the check that starts each Radarr/Sonarr sync when its interval "
     "passed."},
    {"tmdb", "api_key", CFG_STRING, OFF(tmdb_api_key), "", 0, 0, NULL, CFG_SECRET,
     "TMDb API key (v3); unset, files are identified from their names and NFO files only."},
    {"tmdb", "base_url", CFG_STRING, OFF(tmdb_base_url), "https://api.themoviedb.org/3", 0, 0,
     NULL, 0, "Base URL of the TMDb API."},
    {"tmdb", "image_base_url", CFG_STRING, OFF(tmdb_image_base_url), "https://image.tmdb.org/t/p",
     0, 0, NULL, 0, "Base URL TMDb images are fetched from."},
    {"tmdb", "timeout", CFG_DURATION, OFF(tmdb_timeout), "30s", SEC, 5 * MINUTE, NULL, 0,
     "Time limit of one TMDb request."},
    {"tmdb", "rate", CFG_INT, OFF(tmdb_rate), "40", 1, 10000, NULL, 0,
     "TMDb requests allowed per rate window, shared by every worker (Redis)."},
    {"tmdb", "rate_window", CFG_DURATION, OFF(tmdb_rate_window), "10s", SEC, HOUR, NULL, 0,
     "Length of the TMDb rate window."},
    {"tmdb", "max_retries", CFG_INT, OFF(tmdb_max_retries), "4", 0, 20, NULL, 0,
     "Retries of a TMDb request answered 429 or 5xx (or not answered)."},
    {"tmdb", "details_ttl", CFG_DURATION, OFF(tmdb_details_ttl), "24h", 0, 30 * 24 * HOUR, NULL, 0,
     "How long TMDb detail responses are cached (0: not cached)."},
    {"tmdb", "search_ttl", CFG_DURATION, OFF(tmdb_search_ttl), "15m", 0, 24 * HOUR, NULL, 0,
     "How long TMDb search responses are cached (0: not cached)."},
    {"metadata", "languages", CFG_STRING, OFF(metadata_languages), "en,de,fr,es,ja", 0, 0, NULL, 0,
     "Comma-separated ISO 639-1 languages whose titles, overviews and taglines are stored."},
    {"metadata", "match_threshold", CFG_INT, OFF(metadata_match_threshold), "70", 1, 100, NULL, 0,
     "Confidence (percent) a provider match needs; below it a file stays unmatched."},
    {"metadata", "stale_after", CFG_DURATION, OFF(metadata_stale_after), "168h", HOUR,
     365 * 24 * HOUR, NULL, 0, "Age after which the periodic refresh fetches an item's metadata again."},
    {"library", "missing_grace", CFG_DURATION, OFF(library_missing_grace), "72h", 0,
     365 * 24 * HOUR, NULL, 0, "How long a vanished file is kept as missing before it is removed."},
    {"library", "settle_seconds", CFG_INT, OFF(library_settle_seconds), "10", 0, 3600, NULL, 0,
     "A file found by the folder watcher is processed only once its size and modification time "
     "have not changed for this long (a copy in progress is never probed)."},
    {"library", "watch", CFG_BOOL, OFF(library_watch), "true", 0, 0, NULL, 0,
     "Watch the folders of every enabled library with inotify and scan a folder soon after "
     "something in it changes (the leader worker does it)."},
    {"library", "watch_debounce", CFG_DURATION, OFF(library_watch_debounce), "1s", 100, MINUTE,
     NULL, 0,
     "How long a changed folder must stay quiet before the watcher queues its scan (a burst of "
     "events makes one scan)."},
    {"library", "poll_interval", CFG_DURATION, OFF(library_poll_interval), "15m", SEC,
     24 * HOUR, NULL, 0,
     "How often a library folder the watcher cannot watch (a network mount, or a library past "
     "the inotify watch limit) gets an incremental scan instead."},
    {"library", "scan_batch", CFG_INT, OFF(library_scan_batch), "500", 1, 100000, NULL, 0,
     "Files a scan writes per transaction (progress is reported per batch)."},
    {"library", "allowed_roots", CFG_STRING, OFF(library_allowed_roots), "", 0, 0, NULL, 0,
     "Comma-separated absolute directories every library root must lie in; unset, no library "
     "can be created or given new roots."},
    {"movies", "cache_ttl", CFG_DURATION, OFF(movies_cache_ttl), "60s", 0, HOUR, NULL, 0,
     "How long movie lists, searches and details are kept in Redis per user (0: not cached)."},
    {"storage", "backend", CFG_ENUM, OFF(storage_backend), "local", 0, 0, storage_choices, 0,
     "Where user content and cached images are kept."},
    {"storage", "path", CFG_STRING, OFF(storage_path), "/var/lib/revenge/storage", 0, 0, NULL, 0,
     "Directory of the local storage backend (nginx serves its images/ folder)."},
    {"storage", "s3_endpoint", CFG_STRING, OFF(storage_s3_endpoint), "", 0, 0, NULL, 0,
     "S3 backend: base URL of the S3-compatible service, http(s)://host[:port] without a path "
     "(for example https://s3.eu-central-1.amazonaws.com or http://127.0.0.1:9000 for MinIO)."},
    {"storage", "s3_region", CFG_STRING, OFF(storage_s3_region), "us-east-1", 0, 0, NULL, 0,
     "S3 backend: region the requests are signed for (MinIO accepts us-east-1)."},
    {"storage", "s3_bucket", CFG_STRING, OFF(storage_s3_bucket), "", 0, 0, NULL, 0,
     "S3 backend: bucket the objects are kept in (it must exist)."},
    {"storage", "s3_access_key", CFG_STRING, OFF(storage_s3_access_key), "", 0, 0, NULL, 0,
     "S3 backend: access key id."},
    {"storage", "s3_secret_key", CFG_STRING, OFF(storage_s3_secret_key), "", 0, 0, NULL,
     CFG_SECRET, "S3 backend: secret access key (never logged)."},
    {"storage", "s3_path_style", CFG_BOOL, OFF(storage_s3_path_style), "true", 0, 0, NULL, 0,
     "S3 backend: address objects as endpoint/bucket/key (MinIO, most self-hosted servers); "
     "false for virtual-hosted bucket.endpoint/key."},
    {"storage", "s3_timeout", CFG_DURATION, OFF(storage_s3_timeout), "30s", SEC, 10 * MINUTE,
     NULL, 0, "S3 backend: time limit of one request (a put, a check or a removal)."},
    {"images", "enabled", CFG_BOOL, OFF(images_enabled), "true", 0, 0, NULL, 0,
     "Fetch posters, backdrops, stills and profile pictures into storage."},
    {"images", "poster_size", CFG_STRING, OFF(images_poster_size), "w780", 0, 0, NULL, 0,
     "TMDb size of fetched posters."},
    {"images", "backdrop_size", CFG_STRING, OFF(images_backdrop_size), "w1280", 0, 0, NULL, 0,
     "TMDb size of fetched backdrops."},
    {"images", "still_size", CFG_STRING, OFF(images_still_size), "w300", 0, 0, NULL, 0,
     "TMDb size of fetched episode stills."},
    {"images", "profile_size", CFG_STRING, OFF(images_profile_size), "w185", 0, 0, NULL, 0,
     "TMDb size of fetched profile pictures."},
    {"notifications", "timeout", CFG_DURATION, OFF(notifications_timeout), "15s", SEC, 5 * MINUTE,
     NULL, 0, "Time limit of one notification delivery attempt (an HTTP request or an SMTP "
     "transaction)."},
    {"notifications", "ca_file", CFG_STRING, OFF(notifications_ca_file), "", 0, 0, NULL, 0,
     "PEM file of the certificate authorities notification receivers' TLS certificates are "
     "verified with, instead of the system's (a private CA); unset, the system's."},
    /* --- [mail] (e-mail flows) --- */
    {"mail", "smtp_host", CFG_STRING, OFF(mail_smtp_host), "", 0, 0, NULL, 0,
     "SMTP server the account mails (password reset, address verification) go through; unset, "
     "no such mail is sent and no token is made."},
    {"mail", "smtp_port", CFG_INT, OFF(mail_smtp_port), "587", 1, 65535, NULL, 0,
     "Port of the SMTP server."},
    {"mail", "security", CFG_ENUM, OFF(mail_security), "starttls", 0, 0, mail_security_choices, 0,
     "How the SMTP connection is protected: starttls (required), starttls_optional, tls "
     "(implicit, port 465) or none."},
    {"mail", "username", CFG_STRING, OFF(mail_username), "", 0, 0, NULL, 0,
     "SMTP AUTH user name; unset, no AUTH."},
    {"mail", "password", CFG_STRING, OFF(mail_password), "", 0, 0, NULL, CFG_SECRET,
     "SMTP AUTH password."},
    {"mail", "from", CFG_STRING, OFF(mail_from), "", 0, 0, NULL, 0,
     "Sender address of account mails (envelope and From header); required for mail to go out."},
    {"mail", "from_name", CFG_STRING, OFF(mail_from_name), "Revenge", 0, 0, NULL, 0,
     "Display name in the From header of account mails."},
    {"mail", "timeout", CFG_DURATION, OFF(mail_timeout), "30s", SEC, 5 * MINUTE, NULL, 0,
     "Time limit of one SMTP transaction."},
    {"mail", "link_url", CFG_STRING, OFF(mail_link_url), "", 0, 0, NULL, 0,
     "Base URL of the web client the links in account mails open (…/#/reset-password?token=…, "
     "…/#/verify-email?token=…); unset, http.public_url, else https://<http.server_name>."},
    {"mail", "address_limit", CFG_INT, OFF(mail_address_limit), "3", 1, 100, NULL, 0,
     "Mails of one kind one account may be sent per hour; past it requests are answered as "
     "usual and send nothing."},
    {"mail", "ip_limit", CFG_INT, OFF(mail_ip_limit), "10", 1, 100000, NULL, 0,
     "Forgot-password requests one client address may make per hour (429 beyond)."},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const struct config_key *config_keys(size_t *n)
{
	*n = NKEYS;
	return keys;
}

/* Where a value came from: a file line, or an environment variable. */
struct src {
	const char *origin; /* file name; NULL for the environment */
	unsigned line;
	const char *env; /* variable name (not NUL-terminated) */
	size_t envlen;
};

static char **str_slot(struct config *c, const struct config_key *k)
{
	return (char **)((char *)c + k->offset);
}

static int64_t *int_slot(struct config *c, const struct config_key *k)
{
	return (int64_t *)((char *)c + k->offset);
}

static bool *bool_slot(struct config *c, const struct config_key *k)
{
	return (bool *)((char *)c + k->offset);
}

static const void *cslot(const struct config *c, const struct config_key *k)
{
	return (const char *)c + k->offset;
}

/* --- messages ------------------------------------------------------------ */

/* Names from input may hold anything; show them printable and short. */
static void put_name(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < CONFIG_ECHO_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf_putc(b, ch > 0x20 && ch < 0x7f ? (char)ch : '?');
	}
	if (n > CONFIG_ECHO_MAX)
		buf_puts(b, "...");
}

static void put_where(struct buf *b, const struct src *src)
{
	if (src->origin) {
		buf_printf(b, "%s:%u", src->origin, src->line);
		return;
	}
	put_name(b, src->env, src->envlen);
}

/* Finish a message already begun in err with " (<where>)". */
static enum app_err end_at(struct buf *err, const struct src *src)
{
	if (!err)
		return APP_ERR_VALIDATION;
	buf_puts(err, " (");
	put_where(err, src);
	buf_putc(err, ')');
	return APP_ERR_VALIDATION;
}

static enum app_err fail_at(struct buf *err, const struct src *src, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "<message> (<where>)" for errors that are not about one key's value. */
static enum app_err fail_at(struct buf *err, const struct src *src, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		buf_vprintf(err, fmt, ap);
		va_end(ap);
	}
	return end_at(err, src);
}

static void put_number(struct buf *b, enum config_type t, int64_t v);

/* What follows the problem text: nothing, the bounds, or the choices. */
enum detail { D_NONE, D_RANGE, D_CHOICES };

/* "section.name: <problem> (got "<value>", <where>)"; secrets are not echoed. */
static enum app_err fail_value(struct buf *err, const struct config_key *k, const struct src *src,
                               const char *val, const char *problem, enum detail d)
{
	size_t n = strlen(val);

	if (!err)
		return APP_ERR_VALIDATION;
	buf_printf(err, "%s.%s: %s", k->section, k->name, problem);
	if (d == D_CHOICES) {
		const char *const *ch;

		for (ch = k->choices; *ch; ch++)
			buf_printf(err, "%s%s", ch == k->choices ? " " : ", ", *ch);
	} else if (d == D_RANGE) {
		buf_putc(err, ' ');
		put_number(err, k->type, k->min);
		buf_puts(err, " and ");
		put_number(err, k->type, k->max);
	}
	buf_puts(err, " (");
	if (!(k->flags & CFG_SECRET)) {
		buf_puts(err, "got ");
		buf_json_str(err, val, n < CONFIG_ECHO_MAX ? n : CONFIG_ECHO_MAX);
		buf_puts(err, ", ");
	}
	put_where(err, src);
	buf_putc(err, ')');
	return APP_ERR_VALIDATION;
}

/* --- values -------------------------------------------------------------- */

/* Decimal digits only, at least one. 0 ok, -1 not a number, -2 too large. */
static int parse_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -2;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

/* Digits times a unit, kept within int64_t. */
static int scaled(const char *s, size_t n, uint64_t unit, int64_t *out)
{
	uint64_t v;
	int r = parse_digits(s, n, &v);

	if (r)
		return r;
	if (v > (uint64_t)INT64_MAX / unit)
		return -2;
	*out = (int64_t)(v * unit);
	return 0;
}

static int parse_int(const char *s, int64_t *out)
{
	bool neg = s[0] == '-';
	const char *digits = neg || s[0] == '+' ? s + 1 : s;
	uint64_t v;
	int r = parse_digits(digits, strlen(digits), &v);

	if (r)
		return r;
	if (v > (uint64_t)INT64_MAX + neg)
		return -2;
	/* Negate in unsigned arithmetic so INT64_MIN does not overflow. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

static int parse_size(const char *s, int64_t *out)
{
	static const char units[] = "kmg";
	static const uint64_t mult[] = {KIB, MIB, GIB};
	size_t n = strlen(s);
	const char *u = n ? strchr(units, tolower((unsigned char)s[n - 1])) : NULL;

	if (u && *u)
		return scaled(s, n - 1, mult[u - units], out);
	return scaled(s, n, 1, out);
}

static int parse_duration(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	uint64_t unit = SEC; /* a bare number is seconds */

	if (n >= 2 && strcmp(s + n - 2, "ms") == 0) {
		unit = 1;
		n -= 2;
	} else if (n >= 1 && strchr("smh", s[n - 1])) {
		unit = s[n - 1] == 's' ? SEC : s[n - 1] == 'm' ? MINUTE : HOUR;
		n--;
	}
	return scaled(s, n, unit, out);
}

static int parse_octal(const char *s, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (!s[0])
		return -1;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '7')
			return -1;
		if (v > INT64_MAX / 8)
			return -2;
		v = v * 8 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on", "1"};
	static const char *const no[] = {"false", "no", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0 || strcasecmp(s, no[i]) == 0) {
			*out = strcasecmp(s, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

static int parse_enum(const char *s, const char *const *choices, int64_t *out)
{
	int64_t i;

	for (i = 0; choices[i]; i++) {
		if (strcasecmp(s, choices[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -1;
}

/* How each numeric type is read, and what to say when it cannot be. */
static const struct {
	int (*parse)(const char *s, int64_t *out);
	const char *syntax;
} types[] = {
    [CFG_INT] = {parse_int, "must be an integer"},
    [CFG_SIZE] = {parse_size, "must be a size such as 4096, 512k, 16m or 1g"},
    [CFG_DURATION] = {parse_duration, "must be a duration such as 500ms, 30s, 5m or 1h"},
    [CFG_OCTAL] = {parse_octal, "must be an octal mode such as 0660"},
    [CFG_BOOL] = {NULL, "must be one of true, false, yes, no, on, off, 1, 0"},
    [CFG_ENUM] = {NULL, "must be one of"},
};

static enum app_err set_string(struct config *c, const struct config_key *k, const char *val,
                               const struct src *src, struct buf *err)
{
	char **slot = str_slot(c, k);
	char *copy;
	size_t i;

	if (!val[0])
		return fail_value(err, k, src, val, "must not be empty", D_NONE);
	/* well under the line limit, so config_dump's output always loads again */
	if (strlen(val) > CONFIG_STRING_MAX)
		return fail_value(err, k, src, val, "must be at most 2048 bytes", D_NONE);
	for (i = 0; val[i]; i++)
		if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
			return fail_value(err, k, src, val, "must not contain control characters",
			                  D_NONE);
	copy = strdup(val);
	if (!copy) {
		if (err)
			buf_puts(err, "out of memory");
		return APP_ERR_NOMEM;
	}
	if (*slot && (k->flags & CFG_SECRET))
		explicit_bzero(*slot, strlen(*slot));
	free(*slot);
	*slot = copy;
	return APP_OK;
}

/* Parse val as key k's type, check bounds and store it. */
static enum app_err set_value(struct config *c, const struct config_key *k, const char *val,
                              const struct src *src, struct buf *err)
{
	int64_t v = 0;
	int r;

	if (k->type == CFG_STRING)
		return set_string(c, k, val, src, err);
	if (k->type == CFG_BOOL) {
		if (parse_bool(val, bool_slot(c, k)))
			return fail_value(err, k, src, val, types[k->type].syntax, D_NONE);
		return APP_OK;
	}
	if (k->type == CFG_ENUM) {
		if (parse_enum(val, k->choices, &v))
			return fail_value(err, k, src, val, types[k->type].syntax, D_CHOICES);
		*int_slot(c, k) = v;
		return APP_OK;
	}
	r = types[k->type].parse(val, &v);
	if (r == -1)
		return fail_value(err, k, src, val, types[k->type].syntax, D_NONE);
	if (r == -2 || v < k->min || v > k->max)
		return fail_value(err, k, src, val, "must be between", D_RANGE);
	*int_slot(c, k) = v;
	return APP_OK;
}

/* Largest unit that divides v exactly, so 1048576 reads back as "1m". */
static void put_number(struct buf *b, enum config_type t, int64_t v)
{
	static const struct {
		int64_t mult;
		const char *suffix;
	} sizes[] = {{GIB, "g"}, {MIB, "m"}, {KIB, "k"}},
	  durs[] = {{HOUR, "h"}, {MINUTE, "m"}, {SEC, "s"}};
	size_t i;

	if (t == CFG_OCTAL) {
		buf_printf(b, v ? "0%llo" : "%llo", (unsigned long long)v);
		return;
	}
	if (t == CFG_SIZE || t == CFG_DURATION) {
		for (i = 0; i < 3; i++) {
			int64_t m = t == CFG_SIZE ? sizes[i].mult : durs[i].mult;

			if (v != 0 && v % m == 0) {
				buf_printf(b, "%lld%s", (long long)(v / m),
				           t == CFG_SIZE ? sizes[i].suffix : durs[i].suffix);
				return;
			}
		}
		buf_printf(b, "%lld%s", (long long)v, t == CFG_DURATION ? "ms" : "");
		return;
	}
	buf_printf(b, "%lld", (long long)v);
}

/* --- file ---------------------------------------------------------------- */

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Trim blanks in place; returns the new start. */
static char *trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static bool is_comment_start(const char *s)
{
	return *s == '#' || *s == ';';
}

/* Only blanks and an optional comment may follow; true when so. */
static bool rest_is_empty(const char *s)
{
	while (is_blank(*s))
		s++;
	return !*s || is_comment_start(s);
}

/* The value part after '=': a quoted string (with \" and \\ escapes) or bare
 * text, where a '#' or ';' after a blank starts a comment. Unquoted in place. */
static enum app_err unquote(char *v, char **out, const struct src *src, struct buf *err)
{
	char *r, *w;
	size_t i;

	if (*v != '"') {
		for (i = 0; v[i]; i++) {
			if (is_comment_start(v + i) && (i == 0 || is_blank(v[i - 1]))) {
				v[i] = '\0';
				break;
			}
		}
		*out = trim(v);
		return APP_OK;
	}
	for (r = v + 1, w = v; *r && *r != '"'; r++) {
		if (*r == '\\') {
			r++;
			if (*r != '"' && *r != '\\')
				return fail_at(err, src,
				               "syntax error: only \\\" and \\\\ may follow "
				               "a backslash");
		}
		*w++ = *r;
	}
	if (*r != '"')
		return fail_at(err, src, "syntax error: missing closing quote");
	*w = '\0';
	if (!rest_is_empty(r + 1))
		return fail_at(err, src, "syntax error: text after the closing quote");
	*out = v;
	return APP_OK;
}

static const struct config_key *find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static const char *find_section(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, name) == 0)
			return keys[i].section;
	return NULL;
}

/* One trimmed, NUL-terminated line; *section is the current [section]. */
static enum app_err parse_line(struct config *c, char *s, const char **section,
                               const struct src *src, struct buf *err)
{
	const struct config_key *k;
	char *eq, *name, *val = NULL, *close;
	enum app_err e;

	if (!*s || is_comment_start(s))
		return APP_OK;
	if (*s == '[') {
		close = strchr(s, ']');
		if (!close || !rest_is_empty(close + 1))
			return fail_at(err, src, "syntax error: expected [section]");
		*close = '\0';
		name = trim(s + 1);
		*section = find_section(name);
		if (*section)
			return APP_OK;
		if (err) {
			buf_puts(err, "unknown section [");
			put_name(err, name, strlen(name));
			buf_putc(err, ']');
		}
		return end_at(err, src);
	}
	eq = strchr(s, '=');
	if (!eq)
		return fail_at(err, src, "syntax error: expected key = value");
	*eq = '\0';
	name = trim(s);
	if (!*section) {
		if (err) {
			buf_puts(err, "key ");
			put_name(err, name, strlen(name));
			buf_puts(err, " before any [section]");
		}
		return end_at(err, src);
	}
	k = find_key(*section, name);
	if (!k) {
		if (err) {
			buf_printf(err, "unknown key %s.", *section);
			put_name(err, name, strlen(name));
		}
		return end_at(err, src);
	}
	e = unquote(trim(eq + 1), &val, src, err);
	if (e)
		return e;
	return set_value(c, k, val, src, err);
}

static enum app_err parse_text(struct config *c, const char *text, size_t len, const char *origin,
                               struct buf *err)
{
	struct src src = {.origin = origin ? origin : "<config>"};
	const char *section = NULL;
	struct buf line;
	enum app_err e = APP_OK;
	size_t pos = 0;

	/* Some editors start UTF-8 files with a byte order mark. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	buf_init(&line, CONFIG_MAX_LINE);
	while (pos < len && !e) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		src.line++;
		buf_reset(&line);
		if (n > 0 && text[pos + n - 1] == '\r')
			buf_append(&line, text + pos, n - 1);
		else
			buf_append(&line, text + pos, n);
		pos += n + 1;
		if (!buf_ok(&line))
			e = fail_at(err, &src, "line longer than %d bytes", CONFIG_MAX_LINE);
		else if (memchr(line.data, '\0', line.len))
			e = fail_at(err, &src, "syntax error: NUL byte");
		else
			e = parse_line(c, trim(line.data), &section, &src, err);
	}
	/* The line may have held a secret. */
	if (line.cap)
		explicit_bzero(line.data, line.cap);
	buf_release(&line);
	return e;
}

/* --- environment ---------------------------------------------------------- */

/* Does name[0..n) spell REVENGE_<SECTION>_<NAME> for k? */
static bool env_names(const char *name, size_t n, const struct config_key *k)
{
	const char *parts[2] = {k->section, k->name};
	size_t pos = strlen(ENV_PREFIX), i, j;

	for (i = 0; i < 2; i++) {
		for (j = 0; parts[i][j]; j++, pos++) {
			char up = parts[i][j] >= 'a' && parts[i][j] <= 'z'
			              ? (char)(parts[i][j] - 'a' + 'A')
			              : parts[i][j];

			if (pos >= n || name[pos] != up)
				return false;
		}
		if (i == 0 && (pos >= n || name[pos++] != '_'))
			return false;
	}
	return pos == n;
}

static enum app_err apply_env(struct config *c, char *const *envp, struct buf *err)
{
	size_t plen = strlen(ENV_PREFIX);
	enum app_err e;

	for (; envp && *envp; envp++) {
		const char *var = *envp, *eq = strchr(var, '=');
		struct src src = {.env = var};
		const struct config_key *k = NULL;
		size_t i;

		if (!eq || strncmp(var, ENV_PREFIX, plen) != 0)
			continue;
		src.envlen = (size_t)(eq - var);
		if (src.envlen == strlen(ENV_PREFIX "CONFIG") &&
		    memcmp(var, ENV_PREFIX "CONFIG", src.envlen) == 0)
			continue; /* names the file; see config_path_from_env() */
		for (i = 0; i < NKEYS && !k; i++)
			if (env_names(var, src.envlen, &keys[i]))
				k = &keys[i];
		if (!k) {
			if (err) {
				put_name(err, var, src.envlen);
				buf_puts(err, ": unknown key");
			}
			return APP_ERR_VALIDATION;
		}
		e = set_value(c, k, eq + 1, &src, err);
		if (e)
			return e;
	}
	return APP_OK;
}

/* --- load ---------------------------------------------------------------- */

static enum app_err apply_defaults(struct config *c, struct buf *err)
{
	struct src src = {.origin = "<default>"};
	enum app_err e;
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == CFG_STRING && !keys[i].def[0])
			continue; /* unset until given */
		e = set_value(c, &keys[i], keys[i].def, &src, err);
		if (e)
			return e == APP_ERR_NOMEM ? e : APP_ERR_INTERNAL;
	}
	return APP_OK;
}

enum app_err config_load_text(struct config *c, const char *text, size_t len, const char *origin,
                              char *const *envp, struct buf *err)
{
	struct config tmp;
	enum app_err e;

	memset(&tmp, 0, sizeof(tmp));
	e = apply_defaults(&tmp, err);
	if (!e && text)
		e = parse_text(&tmp, text, len, origin, err);
	if (!e)
		e = apply_env(&tmp, envp, err);
	if (e) {
		config_release(&tmp);
		memset(c, 0, sizeof(*c));
		return e;
	}
	*c = tmp;
	return APP_OK;
}

/* Read a whole file under the size cap. ENOENT is reported as such so the
 * caller can treat a missing default file as "no file". */
static enum app_err read_file(const char *path, struct buf *out, int *err_no)
{
	char chunk[4096];
	ssize_t n;
	int fd;

	*err_no = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err_no = errno;
		return APP_ERR_NOT_FOUND;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err_no = errno;
			break;
		}
		if (n == 0 || buf_append(out, chunk, (size_t)n) < 0)
			break;
	}
	explicit_bzero(chunk, sizeof(chunk));
	close(fd);
	if (*err_no)
		return APP_ERR_NOT_FOUND;
	return buf_ok(out) ? APP_OK : APP_ERR_TOO_LARGE;
}

enum app_err config_load(struct config *c, const char *path, char *const *envp, struct buf *err)
{
	const char *file = path ? path : CONFIG_DEFAULT_PATH;
	struct buf text;
	enum app_err e;
	int err_no;

	buf_init(&text, CONFIG_MAX_FILE);
	e = read_file(file, &text, &err_no);
	if (e == APP_ERR_NOT_FOUND && !path && err_no == ENOENT) {
		e = config_load_text(c, NULL, 0, NULL, envp, err);
		goto out;
	}
	if (e) {
		if (err && e == APP_ERR_TOO_LARGE)
			buf_printf(err, "%s: larger than %d bytes", file, CONFIG_MAX_FILE);
		else if (err)
			buf_printf(err, "%s: cannot read: %s", file, strerror(err_no));
		memset(c, 0, sizeof(*c));
		e = APP_ERR_VALIDATION;
		goto out;
	}
	e = config_load_text(c, text.data, text.len, file, envp, err);
	/* the directory of the file is the server's own state (library roots
	 * may not reach it); realpath so a symlinked path compares right */
	if (!e && !(c->config_file = realpath(file, NULL)) && errno == ENOMEM) {
		config_release(c);
		e = APP_ERR_NOMEM;
	}
out:
	if (text.cap)
		explicit_bzero(text.data, text.cap);
	buf_release(&text);
	return e;
}

void config_release(struct config *c)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char **slot;

		if (keys[i].type != CFG_STRING)
			continue;
		slot = str_slot(c, &keys[i]);
		if (*slot && (keys[i].flags & CFG_SECRET))
			explicit_bzero(*slot, strlen(*slot));
		free(*slot);
		*slot = NULL;
	}
	free(c->config_file);
	c->config_file = NULL;
}

/* --- dump ---------------------------------------------------------------- */

static void dump_value(const struct config *c, const struct config_key *k, struct buf *out)
{
	const char *s;
	int64_t v, i;

	switch (k->type) {
	case CFG_STRING:
		s = *(char *const *)cslot(c, k);
		if (!s) {
			buf_printf(out, "# %s is unset\n", k->name);
			return;
		}
		buf_printf(out, "%s = \"", k->name);
		if (k->flags & CFG_SECRET)
			s = "********";
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *s);
		}
		buf_puts(out, "\"\n");
		return;
	case CFG_BOOL:
		buf_printf(out, "%s = %s\n", k->name,
		           *(const bool *)cslot(c, k) ? "true" : "false");
		return;
	case CFG_ENUM:
		v = *(const int64_t *)cslot(c, k);
		for (i = 0; i < v && k->choices[i]; i++)
			;
		if (v < 0 || !k->choices[i])
			buf_printf(out, "# %s has no valid value (%lld)\n", k->name, (long long)v);
		else
			buf_printf(out, "%s = %s\n", k->name, k->choices[v]);
		return;
	default:
		buf_printf(out, "%s = ", k->name);
		put_number(out, k->type, *(const int64_t *)cslot(c, k));
		buf_putc(out, '\n');
		return;
	}
}

void config_dump(const struct config *c, struct buf *out)
{
	const char *section = NULL;
	size_t i;

	buf_puts(out, "# Effective Revenge configuration. Secrets are shown as ********.\n");
	for (i = 0; i < NKEYS; i++) {
		const struct config_key *k = &keys[i];

		if (!section || strcmp(section, k->section) != 0) {
			section = k->section;
			buf_printf(out, "\n[%s]\n", section);
		}
		buf_printf(out, "# %s (default: %s)\n", k->doc, k->def);
		dump_value(c, k, out);
	}
}

const char *config_path_from_env(char *const *envp)
{
	static const char name[] = "REVENGE_CONFIG=";

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, sizeof(name) - 1) == 0 && (*envp)[sizeof(name) - 1])
			return *envp + sizeof(name) - 1;
	return NULL;
}

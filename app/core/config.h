/*
 * config: the one configuration of every Revenge process.
 *
 * Sources, later wins: built-in defaults, the INI-style file, then
 * environment variables REVENGE_<SECTION>_<KEY> (upper case, e.g.
 * REVENGE_SERVER_POOL_SIZE). Every key is declared once in the table in
 * config.c with its type, default, bounds and documentation; the table is
 * what parses, validates, masks and documents (docs/configuration.md is
 * checked against it by a test).
 *
 * File syntax:
 *     # comment            ; comment
 *     [server]
 *     pool_size = 8
 *     socket = "/run/revenge/fcgi.sock"   (optional double quotes)
 *
 * Inside double quotes only \" and \\ are escapes; an unquoted value ends
 * at a '#' or ';' that follows a blank (an inline comment). A key given twice
 * takes the later value; a [section] may appear more than once. Names are
 * case-sensitive in the file; bool and enum values are not. Strings must be
 * non-empty and free of control characters. Lines are limited to 4096 bytes
 * and the file to 1 MiB.
 *
 * Value syntax by type: int (decimal, optional sign), bool
 * (true/false/yes/no/on/off/1/0), size (bytes with optional k/m/g suffix,
 * binary multiples), duration (integer with ms/s/m/h suffix; bare number =
 * seconds; stored as milliseconds), octal (e.g. 0660), enum (one of the
 * declared names), string. A string key whose default is "" is unset
 * (NULL) until the file or the environment gives it a value.
 */
#ifndef REVENGE_CORE_CONFIG_H
#define REVENGE_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

#define CONFIG_DEFAULT_PATH "/etc/revenge/revenge.conf"

struct config {
	/* [server] FastCGI pool */
	char *server_socket;           /* unix path, or host:port for TCP */
	int64_t server_socket_mode;    /* permissions of a unix socket */
	int64_t server_backlog;
	int64_t server_pool_size;      /* number of children */
	int64_t server_max_requests;   /* recycle a child after this many; 0 = never */
	int64_t server_drain_timeout;  /* ms */
	int64_t server_max_body_size;  /* bytes */
	int64_t server_request_memory; /* bytes, per-request arena cap */
	/* [http] what nginx and browsers see */
	char *http_server_name;    /* public host name (nginx.conf, redirects) */
	char *http_cors_origins;   /* "https://a.example, http://localhost:3000"; NULL = none */
	int64_t http_cors_max_age; /* ms */
	char *http_public_url;     /* "https://media.example.com"; NULL = https://server_name */
	/* [database] */
	char *database_url;
	int64_t database_connect_timeout;   /* ms */
	int64_t database_statement_timeout; /* ms */
	/* [redis] */
	char *redis_url; /* redis://[:password@]host[:port][/db] or unix:///path[?db=N] */
	int64_t redis_timeout; /* ms */
	char *redis_prefix;
	/* [log] */
	int64_t log_level;  /* enum log_level */
	int64_t log_format; /* enum log_format */
	/* [metrics] */
	bool metrics_enabled;
	/* [auth] */
	int64_t auth_argon2_memory; /* bytes */
	int64_t auth_argon2_iterations;
	int64_t auth_argon2_parallelism;
	int64_t auth_session_lifetime;  /* ms */
	int64_t auth_refresh_lifetime;  /* ms */
	int64_t auth_session_cache_ttl; /* ms */
	int64_t auth_max_sessions;
	int64_t auth_lockout_attempts;
	int64_t auth_lockout_ip_attempts;
	int64_t auth_lockout_window; /* ms */
	bool auth_cookie_secure;
	char *auth_secret_key; /* 64 hex digits or NULL (core/crypto.h, crypto_seal) */
	/* [ratelimit] */
	bool ratelimit_enabled;
	int64_t ratelimit_rate;
	int64_t ratelimit_burst;
	int64_t ratelimit_auth_rate;
	int64_t ratelimit_auth_burst;
	/* [worker] */
	int64_t worker_shutdown_timeout; /* ms */
	int64_t worker_executors;        /* shared executors; 0 = 2 x cores */
	int64_t worker_reserved[5];      /* per priority, critical .. bulk */
	int64_t worker_fetch_batch;
	int64_t worker_poll_interval; /* ms */
	int64_t worker_lease;         /* ms */
	int64_t worker_heartbeat;     /* ms */
	int64_t worker_job_timeout;   /* ms */
	/* [retention] */
	int64_t retention_audit_days;
	int64_t retention_completed_jobs_days;
	int64_t retention_discarded_jobs_days;
	int64_t retention_scan_history_days;
	int64_t retention_expired_sessions_days;
	/* [schedule] cron expressions, UTC */
	char *schedule_retention;
	char *schedule_session_cleanup;
	char *schedule_library_scans;
	char *schedule_integration_sync;
	char *schedule_metadata_refresh;
	/* [tmdb] */
	char *tmdb_api_key; /* NULL: no provider (offline, local identification) */
	char *tmdb_base_url;
	char *tmdb_image_base_url;
	int64_t tmdb_timeout;      /* ms */
	int64_t tmdb_rate;         /* requests per window, shared by every worker */
	int64_t tmdb_rate_window;  /* ms */
	int64_t tmdb_max_retries;
	int64_t tmdb_details_ttl;  /* ms */
	int64_t tmdb_search_ttl;   /* ms */
	/* [metadata] */
	char *metadata_languages;  /* "en,de,fr,es,ja" */
	int64_t metadata_match_threshold; /* percent */
	int64_t metadata_stale_after;     /* ms */
	/* [library] */
	int64_t library_missing_grace; /* ms */
	int64_t library_settle_seconds;
	bool library_watch;
	int64_t library_watch_debounce; /* ms */
	int64_t library_poll_interval;  /* ms */
	int64_t library_scan_batch;
	char *library_allowed_roots; /* "/srv/media, /mnt/films"; NULL: none */
	/* [movies] */
	int64_t movies_cache_ttl; /* ms */
	/* [storage] */
	int64_t storage_backend; /* enum: 0 local, 1 s3 */
	char *storage_path;
	char *storage_s3_endpoint; /* NULL when unset, like every empty string */
	char *storage_s3_region;
	char *storage_s3_bucket;
	char *storage_s3_access_key;
	char *storage_s3_secret_key;
	bool storage_s3_path_style;
	int64_t storage_s3_timeout; /* ms */
	/* [images] */
	bool images_enabled;
	char *images_poster_size;
	char *images_backdrop_size;
	char *images_still_size;
	char *images_profile_size;
	/* [notifications] */
	int64_t notifications_timeout; /* ms */
	char *notifications_ca_file;   /* NULL: the system's CAs */
	/* [mail] account mails (docs/internals/mail.md) */
	char *mail_smtp_host; /* NULL: no account mails */
	int64_t mail_smtp_port;
	int64_t mail_security; /* enum notify_tls */
	char *mail_username;   /* NULL: no AUTH */
	char *mail_password;
	char *mail_from;
	char *mail_from_name;
	int64_t mail_timeout; /* ms */
	char *mail_link_url;  /* NULL: https://<http.server_name> */
	int64_t mail_address_limit;
	int64_t mail_ip_limit;
	/* not a key: the resolved path of the file config_load() read (NULL
	 * when none was read), owned like the strings */
	char *config_file;
};

enum config_type {
	CFG_STRING,
	CFG_INT,
	CFG_BOOL,
	CFG_SIZE,
	CFG_DURATION,
	CFG_OCTAL,
	CFG_ENUM,
};

#define CFG_SECRET 0x1u /* masked by config_dump() */

struct config_key {
	const char *section;
	const char *name;
	enum config_type type;
	size_t offset;             /* into struct config */
	const char *def;           /* default as it would be written in the file */
	int64_t min, max;          /* bounds for numeric types (after unit conversion) */
	const char *const *choices; /* CFG_ENUM: NULL-terminated names; stored value = index */
	unsigned flags;
	const char *doc;           /* one sentence for docs/configuration.md */
};

/* The key table and its length. */
const struct config_key *config_keys(size_t *n);

/*
 * Load defaults, then the file at path (NULL: CONFIG_DEFAULT_PATH when it
 * exists, else defaults only; an explicit path that cannot be read is an
 * error), then environment overrides from envp (NULL-terminated "K=V"
 * strings; pass `environ`). REVENGE_CONFIG is ignored here (it names the
 * file, see config_path_from_env). Any other REVENGE_* variable that names
 * no key is an error.
 *
 * On error returns APP_ERR_VALIDATION (or APP_ERR_NOMEM) and writes one line
 * naming the key and the source into err, e.g.
 *   "server.pool_size: must be between 1 and 1024 (got \"0\", /etc/revenge/revenge.conf:4)"
 *   "unknown key server.pool (/etc/revenge/revenge.conf:3)"
 *   "REVENGE_SERVER_POOL: unknown key"
 * On error *c is left released (nothing to free). On success *c is
 * overwritten (its previous strings are not freed) and owns its strings:
 * config_release() them. err (may be NULL) gets no trailing newline; values
 * of secret keys are never echoed into it.
 */
enum app_err config_load(struct config *c, const char *path, char *const *envp, struct buf *err);

/* config_load() with the file's contents given as text[0..len) (NULL: no
 * file, defaults and environment only); origin names it in messages. */
enum app_err config_load_text(struct config *c, const char *text, size_t len, const char *origin,
                              char *const *envp, struct buf *err);

/* Free strings owned by c; safe on a zeroed or released struct. */
void config_release(struct config *c);

/* The effective configuration as a valid config file (every key, grouped by
 * section, secrets shown as "********" when set), for `revenge config check`. */
void config_dump(const struct config *c, struct buf *out);

/* Value of REVENGE_CONFIG in envp, or NULL (also when it is empty). */
const char *config_path_from_env(char *const *envp);

#endif

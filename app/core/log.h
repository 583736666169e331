/*
 * log: one line per event on a file descriptor (stderr by default), in JSON
 * or logfmt, UTC timestamps with milliseconds, the level, the pid, the
 * current request id (when one is set) and an event name. Every value is
 * escaped: control bytes never reach the log raw (JSON \u00XX, logfmt \xXX
 * or \n \t \r inside quotes), so a client cannot forge log lines.
 *
 * Each line is written with a single write(2) so lines from the pool's
 * children never interleave. Below the minimum level nothing is formatted.
 * A line is at most 16 KiB: an overlong value is cut and ends in "...", and
 * fields after it are dropped; the line itself is always complete. Bytes
 * that are not valid UTF-8 become U+FFFD (JSON) or \xXX (logfmt). errno is
 * preserved across every logging call.
 *
 * Threads: log_setup() is for start-up and is not synchronised. Emitting is
 * safe from several threads (each line is built in the caller's own buffer).
 * The request id is per thread.
 *
 * JSON:   {"ts":"2026-11-26T10:00:00.123Z","level":"info","pid":12,"request_id":"ab","event":"http.request","msg":"...","route":"..."}
 * logfmt: ts=2026-11-26T10:00:00.123Z level=info pid=12 request_id=ab event=http.request msg="..." route=...
 */
#ifndef REVENGE_CORE_LOG_H
#define REVENGE_CORE_LOG_H

#include <stddef.h>

enum log_level { LL_DEBUG = 0, LL_INFO, LL_WARN, LL_ERROR };
enum log_format { LOG_FMT_JSON = 0, LOG_FMT_LOGFMT };

struct log_field {
	const char *key;
	const char *val; /* NULL is written as JSON null / logfmt empty */
};

/* Configure the process-wide logger. Defaults: LL_INFO, JSON, fd 2. */
void log_setup(enum log_level min, enum log_format fmt, int fd);
int log_enabled(enum log_level lvl);

/* Set (copied, truncated to 128 bytes) or clear (NULL) the request id that
 * every following line carries. The FastCGI loop sets it per request and
 * clears it afterwards; the worker sets it per job. */
void log_set_request_id(const char *rid);
const char *log_request_id(void); /* "" when none */

/* Parse "debug|info|warn|error" / "json|logfmt"; -1 when unknown. */
int log_level_parse(const char *s);
int log_format_parse(const char *s);
const char *log_level_name(enum log_level lvl);

/* Emit an event with a printf-formatted message (msg may be NULL). */
void log_msg(enum log_level lvl, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Emit an event with structured fields and an optional plain message. */
void log_fields(enum log_level lvl, const char *event, const char *msg,
		const struct log_field *fields, size_t nfields);

#define log_debug(event, ...)                                                                      \
	do {                                                                                       \
		if (log_enabled(LL_DEBUG))                                                         \
			log_msg(LL_DEBUG, event, __VA_ARGS__);                                     \
	} while (0)
#define log_info(event, ...) log_msg(LL_INFO, event, __VA_ARGS__)
#define log_warn(event, ...) log_msg(LL_WARN, event, __VA_ARGS__)
#define log_error(event, ...) log_msg(LL_ERROR, event, __VA_ARGS__)

#endif

/*
 * log: structured lines, one write(2) each.
 *
 * A line is built in a struct buf capped at LOG_LINE_MAX. Values are escaped
 * under a byte budget that keeps LOG_RESERVE bytes free, so an overlong value
 * is cut (marked with "...") and the line is still closed properly instead of
 * being refused. Once a value is cut, the remaining fields are dropped.
 *
 * Escaping also covers what a terminal or log viewer could misread: DEL, the
 * C1 controls (U+0080..U+009F, e.g. NEL) and malformed UTF-8, which becomes
 * U+FFFD in JSON (whose consumers reject raw bad bytes) and \xXX in logfmt.
 *
 * The sink settings are plain process globals, written by log_setup() at
 * start-up; the request id is per thread.
 */
#include "core/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"

#define LOG_LINE_MAX 16384
#define LOG_MSG_MAX 8192
#define LOG_RESERVE 16 /* "..." + closing quote + "}\n", with slack */
#define LOG_RID_MAX 128

static enum log_level log_min = LL_INFO;
static enum log_format log_fmt = LOG_FMT_JSON;
static int log_fd = 2;
static _Thread_local char log_rid[LOG_RID_MAX + 1];

static const char *const level_names[] = {"debug", "info", "warn", "error"};
static const char *const format_names[] = {"json", "logfmt"};

struct line {
	struct buf b;
	enum log_format fmt;
	bool first; /* no field written yet (JSON comma, logfmt space) */
	bool full;  /* a value was cut; drop further fields */
};

void log_setup(enum log_level min, enum log_format fmt, int fd)
{
	log_min = (unsigned)min <= LL_ERROR ? min : LL_INFO;
	log_fmt = fmt == LOG_FMT_LOGFMT ? LOG_FMT_LOGFMT : LOG_FMT_JSON;
	log_fd = fd;
}

int log_enabled(enum log_level lvl)
{
	return lvl >= log_min;
}

void log_set_request_id(const char *rid)
{
	size_t n;

	if (!rid) {
		log_rid[0] = '\0';
		return;
	}
	n = strnlen(rid, LOG_RID_MAX);
	memcpy(log_rid, rid, n);
	log_rid[n] = '\0';
}

const char *log_request_id(void)
{
	return log_rid;
}

static int name_lookup(const char *s, const char *const *names, int n)
{
	int i;

	if (!s)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

int log_level_parse(const char *s)
{
	return name_lookup(s, level_names, 4);
}

int log_format_parse(const char *s)
{
	return name_lookup(s, format_names, 2);
}

const char *log_level_name(enum log_level lvl)
{
	return (unsigned)lvl <= LL_ERROR ? level_names[lvl] : "unknown";
}

/* Room left for value bytes before the reserve. */
static size_t line_budget(const struct line *l)
{
	size_t limit = LOG_LINE_MAX - LOG_RESERVE;

	return l->b.len < limit ? limit - l->b.len : 0;
}

static void cut_value(struct line *l)
{
	buf_puts(&l->b, "...");
	l->full = true;
}

/* Bytes that go into a value as they are, in either format. */
static bool is_plain(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\';
}

static bool logfmt_needs_quotes(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return true;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch <= 0x20 || ch >= 0x7f || ch == '"' || ch == '=' || ch == '\\')
			return true;
	}
	return false;
}

/* The escape for one byte or sequence at s[0..n); *used gets its length.
 * Returns the number of bytes written to out (0: copy s[0..*used) as is). */
static size_t escape_one(enum log_format fmt, const char *s, size_t n, char out[12], size_t *used)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char ch = (unsigned char)s[0];
	size_t seq;

	*used = 1;
	switch (ch) {
	case '"':
		memcpy(out, "\\\"", 2);
		return 2;
	case '\\':
		memcpy(out, "\\\\", 2);
		return 2;
	case '\n':
		memcpy(out, "\\n", 2);
		return 2;
	case '\r':
		memcpy(out, "\\r", 2);
		return 2;
	case '\t':
		memcpy(out, "\\t", 2);
		return 2;
	default:
		break;
	}
	if (ch >= 0x20 && ch < 0x7f)
		return 0;
	if (ch < 0x80)
		goto control;
	seq = buf_utf8_seq_len(s, n);
	if (seq == 0) {
		if (fmt == LOG_FMT_JSON) {
			memcpy(out, "\\ufffd", 6);
			return 6;
		}
		goto control;
	}
	*used = seq;
	if (seq == 2 && ch == 0xc2 && (unsigned char)s[1] < 0xa0) {
		/* C1 control: U+0080..U+009F */
		if (fmt == LOG_FMT_JSON) {
			ch = (unsigned char)s[1];
			goto control;
		}
		memcpy(out, "\\xc2\\x", 6);
		out[6] = hex[(unsigned char)s[1] >> 4];
		out[7] = hex[(unsigned char)s[1] & 0xf];
		return 8;
	}
	return 0;
control:
	if (fmt == LOG_FMT_JSON) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[ch >> 4];
		out[5] = hex[ch & 0xf];
		return 6;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[ch >> 4];
	out[3] = hex[ch & 0xf];
	return 4;
}

static void put_escaped(struct line *l, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		char esc[12];
		size_t run, room, used, elen;

		/* A run of plain ASCII may be cut anywhere. */
		for (run = i; run < n && is_plain((unsigned char)s[run]); run++)
			;
		if (run > i) {
			room = line_budget(l);
			if (run - i > room) {
				buf_append(&l->b, s + i, room);
				cut_value(l);
				return;
			}
			buf_append(&l->b, s + i, run - i);
			i = run;
			continue;
		}
		/* An escape or a UTF-8 sequence goes in whole or not at all. */
		elen = escape_one(l->fmt, s + i, n - i, esc, &used);
		if ((elen ? elen : used) > line_budget(l)) {
			cut_value(l);
			return;
		}
		buf_append(&l->b, elen ? esc : s + i, elen ? elen : used);
		i += used;
	}
}

/* Keys come from code, but a logfmt key must still be one token. */
static void put_key(struct line *l, const char *key)
{
	size_t i, n = strlen(key);

	if (l->fmt == LOG_FMT_JSON) {
		buf_putc(&l->b, '"');
		put_escaped(l, key, n);
		buf_puts(&l->b, "\":");
		return;
	}
	if (n == 0)
		buf_putc(&l->b, '_');
	for (i = 0; i < n && i < 64; i++) {
		char ch = key[i];
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		          (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' || ch == '-';

		buf_putc(&l->b, ok ? ch : '_');
	}
	buf_putc(&l->b, '=');
}

/* A field whose value is a string (val NULL: JSON null / logfmt empty). */
static void put_field(struct line *l, const char *key, const char *val)
{
	size_t n;

	if (l->full || line_budget(l) < strlen(key) + 8)
		return;
	if (!l->first)
		buf_putc(&l->b, l->fmt == LOG_FMT_JSON ? ',' : ' ');
	l->first = false;
	put_key(l, key);
	if (!val) {
		if (l->fmt == LOG_FMT_JSON)
			buf_puts(&l->b, "null");
		return;
	}
	n = strlen(val);
	if (l->fmt == LOG_FMT_LOGFMT && !logfmt_needs_quotes(val, n)) {
		put_escaped(l, val, n);
		return;
	}
	buf_putc(&l->b, '"');
	put_escaped(l, val, n);
	buf_putc(&l->b, '"');
}

static void put_head(struct line *l, enum log_level lvl, const char *event)
{
	struct timespec ts;
	struct tm tm;
	char num[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (l->fmt == LOG_FMT_JSON)
		buf_puts(&l->b, "{\"ts\":\"");
	else
		buf_puts(&l->b, "ts=");
	buf_printf(&l->b, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
	           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
	if (l->fmt == LOG_FMT_JSON)
		buf_putc(&l->b, '"');
	l->first = false;

	put_field(l, "level", log_level_name(lvl));
	/* pid is a JSON number, so it bypasses put_field's quoting. */
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	buf_puts(&l->b, l->fmt == LOG_FMT_JSON ? ",\"pid\":" : " pid=");
	buf_puts(&l->b, num);
	if (log_rid[0])
		put_field(l, "request_id", log_rid);
	put_field(l, "event", event ? event : "");
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* nowhere to report a failing log sink */
		}
		p += w;
		n -= (size_t)w;
	}
}

static void emit(enum log_level lvl, const char *event, const char *msg,
                 const struct log_field *fields, size_t nfields)
{
	static const char oom[] = "{\"level\":\"error\",\"event\":\"log.dropped\"}\n";
	struct line l = {.fmt = log_fmt, .first = true};
	size_t i;
	int saved = errno; /* callers often log and then inspect errno */

	buf_init(&l.b, LOG_LINE_MAX);
	put_head(&l, lvl, event);
	if (msg)
		put_field(&l, "msg", msg);
	for (i = 0; i < nfields; i++)
		put_field(&l, fields[i].key ? fields[i].key : "", fields[i].val);
	buf_puts(&l.b, l.fmt == LOG_FMT_JSON ? "}\n" : "\n");

	/* The budget keeps us under the cap, so a failure here is out of memory. */
	if (buf_ok(&l.b))
		write_all(log_fd, l.b.data, l.b.len);
	else
		write_all(log_fd, oom, sizeof(oom) - 1);
	buf_release(&l.b);
	errno = saved;
}

void log_msg(enum log_level lvl, const char *event, const char *fmt, ...)
{
	char msg[LOG_MSG_MAX];
	va_list ap;
	int n;

	if (!log_enabled(lvl))
		return;
	if (!fmt) {
		emit(lvl, event, NULL, NULL, 0);
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		msg[0] = '\0';
	else if ((size_t)n >= sizeof(msg))
		memcpy(msg + sizeof(msg) - 4, "...", 4);
	emit(lvl, event, msg, NULL, 0);
}

void log_fields(enum log_level lvl, const char *event, const char *msg,
                const struct log_field *fields, size_t nfields)
{
	if (!log_enabled(lvl))
		return;
	emit(lvl, event, msg, fields, nfields);
}

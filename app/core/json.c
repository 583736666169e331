/*
 * json: a lexical pre-scan in front of cJSON, typed getters and a writer.
 *
 * cJSON alone is too lenient for input from clients: it recurses as deep as
 * the text nests, decodes \u0000 into a NUL that truncates C strings, takes
 * raw control bytes and any byte sequence inside strings, and treats every
 * byte <= 0x20 as whitespace. The pre-scan rejects all of that, and measures
 * depth without recursion, before cJSON sees the text. Invalid UTF-8 is
 * refused here too, so it cannot reach PostgreSQL and come back as a 5xx.
 *
 * cJSON keeps numbers as doubles, so the integer getter refuses magnitudes
 * above 2^53 rather than return a silently rounded value.
 */
#include "core/json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_SAFE_INT 9007199254740991.0 /* 2^53 - 1 */

/* Copy with truncation that never splits a UTF-8 sequence. */
static void copy_trunc(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src), i = 0;

	while (i < n) {
		size_t k = buf_utf8_seq_len(src + i, n - i);

		if (k == 0)
			k = 1;
		if (i + k >= size)
			break;
		i += k;
	}
	memcpy(dst, src, i);
	dst[i] = '\0';
}

enum app_err field_fail(struct field_error *fe, enum app_err e, const char *field, const char *fmt,
                        ...)
{
	char detail[sizeof((struct field_error){0}.detail) + 1];
	va_list ap;

	if (!fe)
		return e;
	copy_trunc(fe->field, sizeof(fe->field), field ? field : "");
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	copy_trunc(fe->detail, sizeof(fe->detail), detail);
	return e;
}

/* --- parsing ------------------------------------------------------------- */

static bool is_json_space(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static enum app_err prescan(const char *t, size_t len, int max_depth, struct field_error *fe)
{
	bool in_str = false;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)t[i];
		size_t k;

		if (ch == '\0')
			return field_fail(fe, APP_ERR_BAD_REQUEST, "body", "NUL byte at offset %zu",
			                  i);
		if (!in_str) {
			if (ch == '"')
				in_str = true;
			else if (ch == '[' || ch == '{') {
				if (++depth > max_depth)
					return field_fail(fe, APP_ERR_BAD_REQUEST, "body",
					                  "nesting deeper than %d at offset %zu",
					                  max_depth, i);
			} else if (ch == ']' || ch == '}') {
				if (depth > 0)
					depth--; /* an unbalanced close is cJSON's to report */
			} else if (ch < 0x20 && !is_json_space(ch)) {
				goto control;
			}
			continue;
		}
		if (ch == '"') {
			in_str = false;
		} else if (ch == '\\') {
			if (i + 1 < len && t[i + 1] == 'u' && len - i >= 6 &&
			    memcmp(t + i + 2, "0000", 4) == 0)
				return field_fail(fe, APP_ERR_BAD_REQUEST, "body",
				                  "\\u0000 escape at offset %zu", i);
			/* Skip the escaped byte, but a NUL there must still be caught. */
			if (i + 1 < len && t[i + 1] != '\0')
				i++;
		} else if (ch < 0x20) {
			goto control;
		} else if (ch >= 0x80) {
			k = buf_utf8_seq_len(t + i, len - i);
			if (k == 0)
				return field_fail(fe, APP_ERR_BAD_REQUEST, "body",
				                  "invalid UTF-8 at offset %zu", i);
			i += k - 1;
		}
		continue;
	control:
		return field_fail(fe, APP_ERR_BAD_REQUEST, "body",
		                  "control character at offset %zu", i);
	}
	return APP_OK;
}

enum app_err json_parse(const char *text, size_t len, const struct json_limits *lim, cJSON **out,
                        struct field_error *fe)
{
	const char *end = NULL;
	enum app_err e;
	cJSON *root;
	size_t off;

	*out = NULL;
	if (len > lim->max_bytes)
		return field_fail(fe, APP_ERR_TOO_LARGE, "body", "must be at most %zu bytes",
		                  lim->max_bytes);
	e = prescan(text, len, lim->max_depth, fe);
	if (e)
		return e;

	/* Parse without requiring a terminator (text need not have one), then
	 * apply require_null_terminated's rule by hand: only whitespace may
	 * follow the value. cJSON reads no further than len. */
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
		return field_fail(fe, APP_ERR_BAD_REQUEST, "body", "invalid JSON at offset %zu",
		                  off);
	}
	off = (size_t)(end - text);
	while (off < len && is_json_space((unsigned char)text[off]))
		off++;
	if (off < len) {
		cJSON_Delete(root);
		return field_fail(fe, APP_ERR_BAD_REQUEST, "body",
		                  "unexpected data after the value at offset %zu", off);
	}
	*out = root;
	return APP_OK;
}

/* --- getters ------------------------------------------------------------- */

/* The member, or NULL when absent or null. Errors when obj is no object. */
static enum app_err member(const cJSON *obj, const char *key, bool required, const cJSON **item,
                           struct field_error *fe)
{
	const cJSON *it;

	*item = NULL;
	if (!cJSON_IsObject(obj))
		return field_fail(fe, APP_ERR_BAD_REQUEST, "body", "must be a JSON object");
	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!it || cJSON_IsNull(it))
		return required ? field_fail(fe, APP_ERR_VALIDATION, key, "is required") : APP_OK;
	*item = it;
	return APP_OK;
}

enum app_err json_get_str(const cJSON *obj, const char *key, bool required, size_t min_len,
                          size_t max_len, const char **out, struct field_error *fe)
{
	const cJSON *it;
	enum app_err e = member(obj, key, required, &it, fe);
	size_t n;

	if (e || !it)
		return e;
	if (!cJSON_IsString(it))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be a string");
	n = strlen(it->valuestring);
	if (n < min_len)
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be at least %zu bytes long",
		                  min_len);
	if (n > max_len)
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be at most %zu bytes long",
		                  max_len);
	*out = it->valuestring;
	return APP_OK;
}

enum app_err json_get_int(const cJSON *obj, const char *key, bool required, int64_t min,
                          int64_t max, int64_t *out, struct field_error *fe)
{
	const cJSON *it;
	enum app_err e = member(obj, key, required, &it, fe);
	double v;

	if (e || !it)
		return e;
	v = it->valuedouble;
	if (!cJSON_IsNumber(it) || !isfinite(v) || floor(v) != v)
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be an integer");
	/* Compare as doubles first: casting an out-of-range double is undefined. */
	if (v < -JSON_MAX_SAFE_INT || v > JSON_MAX_SAFE_INT || (int64_t)v < min || (int64_t)v > max)
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be between %lld and %lld",
		                  (long long)min, (long long)max);
	*out = (int64_t)v;
	return APP_OK;
}

enum app_err json_get_bool(const cJSON *obj, const char *key, bool required, bool *out,
                           struct field_error *fe)
{
	const cJSON *it;
	enum app_err e = member(obj, key, required, &it, fe);

	if (e || !it)
		return e;
	if (!cJSON_IsBool(it))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be a boolean");
	*out = cJSON_IsTrue(it);
	return APP_OK;
}

enum app_err json_get_double(const cJSON *obj, const char *key, bool required, double min,
                             double max, double *out, struct field_error *fe)
{
	const cJSON *it;
	enum app_err e = member(obj, key, required, &it, fe);

	if (e || !it)
		return e;
	/* 1e999 parses to infinity; it is not a number anyone meant. */
	if (!cJSON_IsNumber(it) || !isfinite(it->valuedouble))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be a number");
	if (!(it->valuedouble >= min && it->valuedouble <= max))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be between %g and %g", min,
		                  max);
	*out = it->valuedouble;
	return APP_OK;
}

enum app_err json_get_array(const cJSON *obj, const char *key, bool required, int max_items,
                            const cJSON **out, struct field_error *fe)
{
	const cJSON *it;
	enum app_err e = member(obj, key, required, &it, fe);

	if (e || !it)
		return e;
	if (!cJSON_IsArray(it))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be an array");
	if (max_items >= 0 && cJSON_GetArraySize(it) > max_items)
		return field_fail(fe, APP_ERR_VALIDATION, key, "must have at most %d items",
		                  max_items);
	*out = it;
	return APP_OK;
}

enum app_err json_get_object(const cJSON *obj, const char *key, bool required, const cJSON **out,
                             struct field_error *fe)
{
	const cJSON *it;
	enum app_err e = member(obj, key, required, &it, fe);

	if (e || !it)
		return e;
	if (!cJSON_IsObject(it))
		return field_fail(fe, APP_ERR_VALIDATION, key, "must be an object");
	*out = it;
	return APP_OK;
}

enum app_err json_reject_unknown(const cJSON *obj, const char *const *allowed,
                                 struct field_error *fe)
{
	const cJSON *it;
	size_t i;

	if (!cJSON_IsObject(obj))
		return field_fail(fe, APP_ERR_BAD_REQUEST, "body", "must be a JSON object");
	for (it = obj->child; it; it = it->next) {
		for (i = 0; allowed[i]; i++)
			if (strcmp(it->string, allowed[i]) == 0)
				break;
		if (!allowed[i])
			return field_fail(fe, APP_ERR_VALIDATION, it->string, "unknown field");
	}
	return APP_OK;
}

/* --- writer -------------------------------------------------------------- */

void jw_init(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

/* Separator before a value or key at the current level. */
static void jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (w->has_item[w->depth - 1])
			buf_putc(w->b, ',');
		w->has_item[w->depth - 1] = 1;
	}
}

static void jw_open(struct jw *w, char ch)
{
	jw_sep(w);
	if (w->depth >= JW_MAX_DEPTH) {
		w->b->failed = 1;
		return;
	}
	buf_putc(w->b, ch);
	w->has_item[w->depth++] = 0;
}

static void jw_close(struct jw *w, char ch)
{
	if (w->depth == 0 || w->after_key) {
		w->b->failed = 1;
		return;
	}
	w->depth--;
	buf_putc(w->b, ch);
}

void jw_obj_open(struct jw *w)
{
	jw_open(w, '{');
}

void jw_obj_close(struct jw *w)
{
	jw_close(w, '}');
}

void jw_arr_open(struct jw *w)
{
	jw_open(w, '[');
}

void jw_arr_close(struct jw *w)
{
	jw_close(w, ']');
}

void jw_key(struct jw *w, const char *key)
{
	if (w->after_key) {
		w->b->failed = 1; /* two keys in a row */
		return;
	}
	jw_sep(w);
	buf_json_str(w->b, key, strlen(key));
	buf_putc(w->b, ':');
	w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	buf_json_str(w->b, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	buf_printf(w->b, "%lld", (long long)v);
}

/* Shortest of %.15g..%.17g that reads back as the same double. */
static void format_double(char *out, size_t size, double v)
{
	int prec;
	char *p;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	/* A locale with a decimal comma must not leak into JSON. */
	for (p = out; *p; p++)
		if (*p == ',')
			*p = '.';
}

void jw_double(struct jw *w, double v)
{
	char num[32];

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	format_double(num, sizeof(num), v);
	jw_sep(w);
	buf_puts(w->b, num);
}

void jw_bool(struct jw *w, bool v)
{
	jw_sep(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	jw_sep(w);
	buf_puts(w->b, "null");
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	jw_sep(w);
	buf_append(w->b, json, n);
}

void jw_kstr(struct jw *w, const char *key, const char *s)
{
	jw_key(w, key);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *key, int64_t v)
{
	jw_key(w, key);
	jw_int(w, v);
}

void jw_kbool(struct jw *w, const char *key, bool v)
{
	jw_key(w, key);
	jw_bool(w, v);
}

void jw_kdouble(struct jw *w, const char *key, double v)
{
	jw_key(w, key);
	jw_double(w, v);
}

void jw_knull(struct jw *w, const char *key)
{
	jw_key(w, key);
	jw_null(w);
}

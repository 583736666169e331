/*
 * json: cJSON behind limits, typed getters that name the failing field, and
 * a small streaming writer on top of struct buf for responses.
 *
 * Parsing never trusts input: the text is size-checked, its nesting depth is
 * measured before cJSON sees it, and a NUL byte (raw or as \u0000) anywhere
 * is refused, because C strings downstream would silently truncate. Raw
 * control bytes in strings and invalid UTF-8 are refused too, so every string
 * in an accepted tree is valid UTF-8 without NULs.
 *
 * Duplicate object keys are accepted; the getters see the first occurrence.
 */
#ifndef REVENGE_CORE_JSON_H
#define REVENGE_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/err.h"

struct json_limits {
	size_t max_bytes; /* reject longer texts with APP_ERR_TOO_LARGE */
	int max_depth;    /* reject deeper nesting with APP_ERR_BAD_REQUEST */
};

/* Where a JSON problem is, for problem+json: field is a dotted path such as
 * "body" or "paths[2]" or "preferences.theme", detail a short sentence. */
struct field_error {
	char field[96];
	char detail[160];
};

/* Set fe (if not NULL) and return e; for `return field_fail(...)`. */
enum app_err field_fail(struct field_error *fe, enum app_err e, const char *field,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Parse text[0..len) (need not be NUL-terminated; never read past len;
 * lim must not be NULL; depth counts nested arrays/objects, a scalar is 0,
 * "[[1]]" is 2). *out is NULL on error. On success *out owns a
 * cJSON tree the caller deletes (cJSON_Delete). Errors: APP_ERR_TOO_LARGE,
 * APP_ERR_BAD_REQUEST (syntax, depth, NUL byte, trailing garbage) with fe
 * naming "body" and the byte offset in detail; APP_ERR_NOMEM in principle,
 * but cJSON reports a failed allocation like a syntax error, so in practice
 * that too comes back as APP_ERR_BAD_REQUEST. */
enum app_err json_parse(const char *text, size_t len, const struct json_limits *lim, cJSON **out,
			struct field_error *fe);

/*
 * Typed getters on an object. A missing key (or JSON null) with required ==
 * false leaves *out untouched and returns APP_OK; required == true gives
 * APP_ERR_VALIDATION "is required". A value of the wrong type gives
 * APP_ERR_VALIDATION "must be a string|integer|boolean|number|array|object".
 * Returned strings point into the cJSON tree. min_len/max_len count bytes.
 * Integers above 2^53 in magnitude are refused (cJSON holds doubles), and
 * non-finite numbers (1e999) are "must be a number|integer". Called on obj
 * that is not an object, a getter gives APP_ERR_BAD_REQUEST on "body".
 */
enum app_err json_get_str(const cJSON *obj, const char *key, bool required, size_t min_len,
			  size_t max_len, const char **out, struct field_error *fe);
enum app_err json_get_int(const cJSON *obj, const char *key, bool required, int64_t min,
			  int64_t max, int64_t *out, struct field_error *fe);
enum app_err json_get_bool(const cJSON *obj, const char *key, bool required, bool *out,
			   struct field_error *fe);
enum app_err json_get_double(const cJSON *obj, const char *key, bool required, double min,
			     double max, double *out, struct field_error *fe);
/* Array or object child, type-checked; max_items bounds an array's length
 * (negative: no bound). */
enum app_err json_get_array(const cJSON *obj, const char *key, bool required, int max_items,
			    const cJSON **out, struct field_error *fe);
enum app_err json_get_object(const cJSON *obj, const char *key, bool required, const cJSON **out,
			     struct field_error *fe);
/* APP_ERR_VALIDATION naming the first key of obj not in the NULL-terminated
 * allowed list ("unknown field"). */
enum app_err json_reject_unknown(const cJSON *obj, const char *const *allowed,
				 struct field_error *fe);

/*
 * Streaming writer. Commas and nesting are tracked for the caller; errors
 * land in the buffer's failed flag (check buf_ok() once at the end).
 * Nesting deeper than JW_MAX_DEPTH marks the buffer failed, as do a close
 * with nothing open, a close or key right after a key, and two keys in a row.
 * Doubles are written in the shortest form that reads back exactly.
 */
#define JW_MAX_DEPTH 32
struct jw {
	struct buf *b;
	int depth;
	unsigned char has_item[JW_MAX_DEPTH]; /* per level: an item was written */
	unsigned char after_key;              /* a key was written, value pending */
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj_open(struct jw *w);
void jw_obj_close(struct jw *w);
void jw_arr_open(struct jw *w);
void jw_arr_close(struct jw *w);
void jw_key(struct jw *w, const char *key);
void jw_str(struct jw *w, const char *s);       /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_double(struct jw *w, double v);          /* non-finite writes null */
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *json, size_t n); /* pre-encoded JSON value */
/* key + value shorthands */
void jw_kstr(struct jw *w, const char *key, const char *s);
void jw_kint(struct jw *w, const char *key, int64_t v);
void jw_kbool(struct jw *w, const char *key, bool v);
void jw_kdouble(struct jw *w, const char *key, double v);
void jw_knull(struct jw *w, const char *key);

#endif

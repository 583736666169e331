#include "http/body.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/lang.h"
#include "core/text.h"

/* cJSON keeps numbers as doubles: integers beyond 2^53 are not exact */
#define SAFE_INT 9007199254740992.0
#define DEFAULT_MAX_BYTES 256
#define DEFAULT_MAX_ITEMS 100

static enum app_err bad(struct field_error *fe, const char *field, const char *detail)
{
	return field_fail(fe, APP_ERR_VALIDATION, field, "%s", detail);
}

/* "prefix.name" or "name" into out (cut to fit fe->field). */
static void join(char *out, size_t cap, const char *prefix, const char *name)
{
	if (prefix[0])
		snprintf(out, cap, "%s.%s", prefix, name);
	else
		snprintf(out, cap, "%s", name);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* 8-4-4-4-12 hex digits, any case; lowered in place when it is one. */
static bool uuid_lower(char *s)
{
	if (strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : hexval(s[i]) < 0)
			return false;
	}
	for (int i = 0; i < 36; i++)
		if (s[i] >= 'A' && s[i] <= 'F')
			s[i] = (char)(s[i] - 'A' + 'a');
	return true;
}

static bool finite_only(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return isfinite(v->valuedouble);
	for (const cJSON *c = v->child; c; c = c->next)
		if (!finite_only(c))
			return false;
	return true;
}

static enum app_err check_object(const struct body_field *spec, cJSON *obj, const char *prefix,
				 struct field_error *fe);

static enum app_err check_string(const struct body_field *f, const char *s, const char *field,
				 struct field_error *fe)
{
	int64_t max = f->max > 0 ? f->max : DEFAULT_MAX_BYTES;
	size_t n = f->chars ? utf8_chars(s) : strlen(s);

	if ((int64_t)n < f->min || (int64_t)n > max)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must be %lld to %lld %s",
				  (long long)f->min, (long long)max,
				  f->chars ? "characters" : "bytes long");
	if (f->text && has_control(s, strlen(s)))
		return bad(fe, field, "must not contain control characters");
	return APP_OK;
}

static enum app_err check_enum(const struct body_field *f, const char *s, const char *field,
			       struct field_error *fe)
{
	char list[128] = "";
	size_t at = 0;

	for (int i = 0; f->choices && f->choices[i]; i++)
		if (!strcmp(f->choices[i], s))
			return APP_OK;
	for (int i = 0; f->choices && f->choices[i] && at < sizeof(list); i++)
		at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", i ? ", " : "",
				       f->choices[i]);
	return field_fail(fe, APP_ERR_VALIDATION, field, "must be one of %s", list);
}

static enum app_err check_array(const struct body_field *f, cJSON *v, const char *field,
				struct field_error *fe);

/* v is present and not null (or an array item, null or not). */
static enum app_err check_value(const struct body_field *f, cJSON *v, const char *field,
				struct field_error *fe)
{
	static const char *const want[] = {
	    [BT_STRING] = "must be a string", [BT_INT] = "must be an integer",
	    [BT_BOOL] = "must be a boolean",  [BT_UUID] = "must be a uuid",
	    [BT_ENUM] = "must be a string",   [BT_LANG] = "must be a string",
	    [BT_ARRAY] = "must be an array",  [BT_OBJECT] = "must be an object",
	    [BT_ANY] = "must be a value"};
	enum app_err e = APP_OK;
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;

	if (f->null == BN_ALLOW && cJSON_IsNull(v))
		return APP_OK;
	switch (f->type) {
	case BT_STRING:
		if (!s)
			return bad(fe, field, want[f->type]);
		e = check_string(f, s, field, fe);
		break;
	case BT_INT: {
		double d = v->valuedouble;
		if (!cJSON_IsNumber(v) || !isfinite(d) || floor(d) != d)
			return bad(fe, field, want[f->type]);
		if (d < -SAFE_INT || d > SAFE_INT || (int64_t)d < f->min || (int64_t)d > f->max)
			return field_fail(fe, APP_ERR_VALIDATION, field,
					  "must be between %lld and %lld", (long long)f->min,
					  (long long)f->max);
		return APP_OK;
	}
	case BT_BOOL:
		return cJSON_IsBool(v) ? APP_OK : bad(fe, field, want[f->type]);
	case BT_UUID:
		if (!s || !uuid_lower(v->valuestring))
			return bad(fe, field, want[f->type]);
		break;
	case BT_ENUM:
		if (!s)
			return bad(fe, field, want[f->type]);
		e = check_enum(f, s, field, fe);
		break;
	case BT_LANG:
		if (!s)
			return bad(fe, field, want[f->type]);
		if (!lang_is_iso639_1(s))
			return bad(fe, field,
				   "must be an ISO 639-1 language code: two lower-case letters "
				   "such as en");
		break;
	case BT_ARRAY:
		return cJSON_IsArray(v) ? check_array(f, v, field, fe)
					: bad(fe, field, want[f->type]);
	case BT_OBJECT:
		if (!cJSON_IsObject(v))
			return bad(fe, field, want[f->type]);
		return f->fields ? check_object(f->fields, v, field, fe) : APP_OK;
	case BT_ANY:
		return finite_only(v) ? APP_OK : bad(fe, field, "must hold finite numbers only");
	default:
		return APP_ERR_INTERNAL; /* a table naming no type */
	}
	if (!e && f->check)
		e = f->check(v->valuestring, field, fe);
	return e;
}

static enum app_err check_array(const struct body_field *f, cJSON *v, const char *field,
				struct field_error *fe)
{
	int64_t max = f->max > 0 ? f->max : DEFAULT_MAX_ITEMS, n = cJSON_GetArraySize(v), i = 0;
	char path[sizeof(fe->field)];
	enum app_err e;

	if (n < f->min)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must have at least %lld item%s",
				  (long long)f->min, f->min == 1 ? "" : "s");
	if (n > max)
		return field_fail(fe, APP_ERR_VALIDATION, field, "must have at most %lld items",
				  (long long)max);
	for (cJSON *it = v->child; it; it = it->next, i++) {
		snprintf(path, sizeof(path), "%s[%lld]", field, (long long)i);
		if (f->items && (e = check_value(f->items, it, path, fe)))
			return e;
		for (cJSON *prev = v->child; f->unique && prev != it; prev = prev->next)
			if (cJSON_Compare(prev, it, true))
				return cJSON_IsString(it)
					       ? field_fail(fe, APP_ERR_VALIDATION, path,
							    "repeats %.40s", it->valuestring)
					       : bad(fe, path, "repeats an earlier item");
	}
	return APP_OK;
}

static enum app_err check_object(const struct body_field *spec, cJSON *obj, const char *prefix,
				 struct field_error *fe)
{
	char path[sizeof(fe->field)];
	enum app_err e;

	if (!cJSON_IsObject(obj))
		return field_fail(fe, APP_ERR_BAD_REQUEST, prefix[0] ? prefix : "body",
				  "must be a JSON object");
	for (const cJSON *it = obj->child; it; it = it->next) {
		const struct body_field *f = spec;
		while (f->name && strcmp(f->name, it->string))
			f++;
		if (!f->name && !it->string[0]) /* nothing to name it by */
			return bad(fe, prefix[0] ? prefix : "body", "has a member without a name");
		if (!f->name) {
			join(path, sizeof(path), prefix, it->string);
			return bad(fe, path, "unknown field");
		}
	}
	for (const struct body_field *f = spec; f->name; f++) {
		cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->name);

		join(path, sizeof(path), prefix, f->name);
		if (!v || (cJSON_IsNull(v) && f->null == BN_ABSENT)) {
			if (f->required)
				return bad(fe, path, "is required");
			continue;
		}
		if (cJSON_IsNull(v) && f->null == BN_REFUSE)
			return bad(fe, path, "must not be null");
		if ((e = check_value(f, v, path, fe)))
			return e;
	}
	return APP_OK;
}

enum app_err body_validate(const struct body_field *spec, cJSON *obj, struct field_error *fe)
{
	return check_object(spec, obj, "", fe);
}

/* --- handler accessors ---------------------------------------------------- */

const cJSON *req_body(const struct request *r, const char *name)
{
	return cJSON_IsObject(r->json) ? cJSON_GetObjectItemCaseSensitive(r->json, name) : NULL;
}

const char *req_body_str(const struct request *r, const char *name)
{
	const cJSON *v = req_body(r, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool req_body_int(const struct request *r, const char *name, int64_t *out)
{
	const cJSON *v = req_body(r, name);

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < -SAFE_INT ||
	    v->valuedouble > SAFE_INT)
		return false;
	*out = (int64_t)v->valuedouble;
	return true;
}

bool req_body_bool(const struct request *r, const char *name, bool *out)
{
	const cJSON *v = req_body(r, name);

	if (!cJSON_IsBool(v))
		return false;
	*out = cJSON_IsTrue(v);
	return true;
}

bool req_body_null(const struct request *r, const char *name)
{
	return cJSON_IsNull(req_body(r, name));
}

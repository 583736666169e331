/*
 * libFuzzer target for declared JSON bodies: json_parse() under the
 * dispatcher's limits, then body_validate() (app/http/body.c) against one
 * of three member tables that together use every body type (string in bytes
 * and in characters, int, bool, uuid, enum, ISO 639-1 language, arrays of
 * each with and without uniqueness, nested object, any) and every null
 * rule.
 *
 * Input: byte 0 picks the table; the rest is the body as a client sends it.
 *
 * Oracles beyond "no crash, no sanitizer report":
 *   accepted  every member is declared; every required member is there;
 *             every present member has its declared type and bounds, null
 *             only where null is allowed; uuids are canonical lower case;
 *             checking the same tree again accepts it unchanged
 *   refused   the error is a validation (400) or "not an object" one, the
 *             field and detail are set, and the field starts with a
 *             member's name as the body spells it (or is "body")
 *
 * Seeds (byte 0: 0 the account table, 1 the library table, 2 the bulk
 * watched table):
 * fuzz-seed: \x00{"name":"ab\u00e9","email":"a@b.c","active":true,"langs":["en","de"]}
 * fuzz-seed: \x00{"name":"ab","age":null,"id":"0123ABCD-89ef-4567-89ab-cdef01234567","x":1}
 * fuzz-seed: \x01{"kind":"movie","paths":["/a","/b"],"filter":{"n":3,"tag":"t"},"value":[1,{"a":null}]}
 * fuzz-seed: \x01{"kind":"tv","lang":"EN","paths":[]}
 * fuzz-seed: \x02{"episode_ids":["0123abcd-89ef-4567-89ab-cdef01234567","0123ABCD-89ef-4567-89ab-cdef01234567"],"watched":false}
 * fuzz-seed: \x02{"series_id":"0123abcd-89ef-4567-89ab-cdef01234567","season_id":null,"episode_ids":[]}
 *
 * fuzz-sources: app/core app/http/body.c
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lang.h"
#include "core/text.h"
#include "http/body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const kinds[] = {"movie", "tvshow", NULL};

static enum app_err no_dot(const char *s, const char *field, struct field_error *fe)
{
	return strchr(s, '.') ? field_fail(fe, APP_ERR_VALIDATION, field, "has a dot") : APP_OK;
}

static const struct body_field lang_item = {.type = BT_LANG};
static const struct body_field path_item = {.type = BT_STRING, .min = 1, .max = 64,
					    .text = true, .check = no_dot};
static const struct body_field int_item = {.type = BT_INT, .min = -1, .max = 1};
static const struct body_field inner[] = {
	{.name = "n", .type = BT_INT, .required = true, .min = 0, .max = 5},
	{.name = "tag", .type = BT_STRING, .null = BN_ALLOW, .max = 3},
	{0},
};

static const struct body_field account[] = {
	{.name = "name", .type = BT_STRING, .required = true, .min = 1, .max = 8, .chars = true,
	 .text = true},
	{.name = "email", .type = BT_STRING, .null = BN_REFUSE, .min = 3, .max = 32},
	{.name = "active", .type = BT_BOOL},
	{.name = "age", .type = BT_INT, .null = BN_ALLOW, .min = 0, .max = 150},
	{.name = "id", .type = BT_UUID},
	{.name = "langs", .type = BT_ARRAY, .max = 4, .unique = true, .items = &lang_item},
	{0},
};

static const struct body_field library[] = {
	{.name = "kind", .type = BT_ENUM, .required = true, .choices = kinds},
	{.name = "lang", .type = BT_LANG, .null = BN_REFUSE},
	{.name = "paths", .type = BT_ARRAY, .min = 1, .max = 3, .items = &path_item},
	{.name = "ints", .type = BT_ARRAY, .null = BN_ALLOW, .unique = true, .items = &int_item},
	{.name = "filter", .type = BT_OBJECT, .fields = inner},
	{.name = "value", .type = BT_ANY, .null = BN_ALLOW},
	{0},
};

/* the shape of POST /tvshows/episodes/bulk-watched (app/tv/episodes.c):
 * uuids, a unique array of uuids with bounds, a boolean */
static const struct body_field uuid_item = {.type = BT_UUID};
static const struct body_field bulk[] = {
	{.name = "series_id", .type = BT_UUID},
	{.name = "season_id", .type = BT_UUID},
	{.name = "episode_ids", .type = BT_ARRAY, .min = 1, .max = 500, .unique = true,
	 .items = &uuid_item},
	{.name = "watched", .type = BT_BOOL},
	{0},
};

static const struct body_field *const tables[] = {account, library, bulk};

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_body: oracle failed: %s\n", what);
	abort();
}

static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static int uuid_lower(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		int dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-'
			 : !((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	}
	return 1;
}

static int finite_tree(const cJSON *v)
{
	if (cJSON_IsNumber(v))
		return isfinite(v->valuedouble);
	for (const cJSON *c = v->child; c; c = c->next)
		if (!finite_tree(c))
			return 0;
	return 1;
}

static void check_accepted_object(const struct body_field *spec, const cJSON *obj);

/* An accepted value v of member f (not null unless allowed). */
static void check_accepted_value(const struct body_field *f, const cJSON *v)
{
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;

	if (cJSON_IsNull(v)) {
		if (f->null != BN_ALLOW)
			broken("null accepted where it is not allowed");
		return;
	}
	switch (f->type) {
	case BT_STRING: {
		int64_t max = f->max > 0 ? f->max : 256;
		size_t n;
		if (!s)
			broken("accepted string member is not a string");
		n = f->chars ? chars(s) : strlen(s);
		if ((int64_t)n < f->min || (int64_t)n > max)
			broken("accepted string breaks its bounds");
		if (f->text && has_control(s, strlen(s)))
			broken("accepted text holds a control character");
		if (f->check == no_dot && strchr(s, '.'))
			broken("accepted string its check refuses");
		break;
	}
	case BT_INT:
		if (!cJSON_IsNumber(v) || floor(v->valuedouble) != v->valuedouble ||
		    v->valuedouble < (double)f->min || v->valuedouble > (double)f->max)
			broken("accepted integer is not an integer in bounds");
		break;
	case BT_BOOL:
		if (!cJSON_IsBool(v))
			broken("accepted boolean is not one");
		break;
	case BT_UUID:
		if (!s || !uuid_lower(s))
			broken("accepted uuid is not canonical lower case");
		break;
	case BT_ENUM: {
		int found = 0;
		for (int i = 0; s && f->choices[i]; i++)
			found |= !strcmp(f->choices[i], s);
		if (!found)
			broken("accepted enum value is not a choice");
		break;
	}
	case BT_LANG:
		if (!lang_is_iso639_1(s))
			broken("accepted language is not an ISO 639-1 code");
		break;
	case BT_ARRAY: {
		int n = cJSON_GetArraySize(v);
		if (!cJSON_IsArray(v) || n < f->min || n > (f->max > 0 ? f->max : 100))
			broken("accepted array is no array or breaks its counts");
		for (const cJSON *it = v->child; it; it = it->next) {
			check_accepted_value(f->items, it);
			for (const cJSON *p = v->child; f->unique && p != it; p = p->next)
				if (cJSON_Compare(p, it, 1))
					broken("accepted array repeats an item");
		}
		break;
	}
	case BT_OBJECT:
		if (!cJSON_IsObject(v))
			broken("accepted object is not one");
		if (f->fields)
			check_accepted_object(f->fields, v);
		break;
	case BT_ANY:
		if (!finite_tree(v))
			broken("accepted value holds a non-finite number");
		break;
	}
}

static void check_accepted_object(const struct body_field *spec, const cJSON *obj)
{
	for (const cJSON *it = obj->child; it; it = it->next) {
		const struct body_field *f = spec;
		while (f->name && strcmp(f->name, it->string))
			f++;
		if (!f->name)
			broken("accepted an undeclared member");
	}
	for (const struct body_field *f = spec; f->name; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->name);
		if (!v || (cJSON_IsNull(v) && f->null == BN_ABSENT)) {
			if (f->required)
				broken("accepted without a required member");
			continue;
		}
		check_accepted_value(f, v);
	}
}

/* The refused field starts with a member name of obj as given, or "body". */
static void check_refusal(const cJSON *obj, const struct field_error *fe, enum app_err e)
{
	if (e != APP_ERR_VALIDATION && e != APP_ERR_BAD_REQUEST)
		broken("refused with an unexpected error");
	if (!fe->field[0] || !fe->detail[0])
		broken("refused without naming a field and a reason");
	if (!strcmp(fe->field, "body"))
		return;
	/* (a long name is cut to fit fe->field) */
	for (const cJSON *it = obj->child; it; it = it->next) {
		size_t n = strlen(it->string), have = strlen(fe->field);
		if (!strncmp(fe->field, it->string, n < have ? n : have))
			return;
	}
	/* a required member that is absent is named too */
	if (strchr(fe->field, '.') || strchr(fe->field, '['))
		broken("refusal names a nested member under no given member");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_limits lim = {64 * 1024, 16};
	struct field_error fe = {{0}, {0}};
	const struct body_field *spec;
	cJSON *json = NULL;
	enum app_err e;

	if (size < 1)
		return 0;
	spec = tables[data[0] % 3];
	if (json_parse((const char *)data + 1, size - 1, &lim, &json, &fe) != APP_OK)
		return 0;
	if (!cJSON_IsObject(json)) {
		/* the dispatcher refuses these before the table is consulted */
		if (body_validate(spec, json, &fe) != APP_ERR_BAD_REQUEST)
			broken("a body that is not an object was not refused as such");
		cJSON_Delete(json);
		return 0;
	}
	e = body_validate(spec, json, &fe);
	if (e == APP_OK) {
		char *before = cJSON_PrintUnformatted(json), *after;
		check_accepted_object(spec, json);
		if (body_validate(spec, json, &fe) != APP_OK)
			broken("an accepted body is refused the second time");
		after = cJSON_PrintUnformatted(json);
		if (before && after && strcmp(before, after))
			broken("a second check changed an accepted body");
		free(before);
		free(after);
	} else {
		check_refusal(json, &fe, e);
	}
	cJSON_Delete(json);
	return 0;
}

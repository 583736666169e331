/*
 * libFuzzer target for json_parse, the getters and the writer.
 *
 * Oracle beyond "no crash": any tree json_parse accepts, written back out
 * with jw_*, must parse again under the same limits. The input is placed
 * right before an inaccessible page, so a read past its length by cJSON
 * (not built with sanitizers) faults instead of going unnoticed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct json_limits lim = {.max_bytes = 8192, .max_depth = 8};

static void write_value(struct jw *w, const cJSON *v)
{
	const cJSON *c;

	if (cJSON_IsObject(v)) {
		jw_obj_open(w);
		for (c = v->child; c; c = c->next) {
			jw_key(w, c->string);
			write_value(w, c);
		}
		jw_obj_close(w);
	} else if (cJSON_IsArray(v)) {
		jw_arr_open(w);
		for (c = v->child; c; c = c->next)
			write_value(w, c);
		jw_arr_close(w);
	} else if (cJSON_IsString(v)) {
		jw_str(w, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		jw_double(w, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		jw_bool(w, cJSON_IsTrue(v));
	} else {
		jw_null(w);
	}
}

static void exercise_getters(const cJSON *obj)
{
	static const char *const allowed[] = {"a", "b", "name", NULL};
	struct field_error fe;
	const cJSON *c, *sub;
	const char *s;
	int64_t i;
	double d;
	bool b;

	for (c = obj->child; c; c = c->next) {
		json_get_str(obj, c->string, true, 1, 64, &s, &fe);
		json_get_int(obj, c->string, false, -1000, 1000, &i, &fe);
		json_get_int(obj, c->string, true, INT64_MIN, INT64_MAX, &i, &fe);
		json_get_double(obj, c->string, true, -1e9, 1e9, &d, &fe);
		json_get_bool(obj, c->string, true, &b, &fe);
		if (json_get_array(obj, c->string, true, 4, &sub, &fe) == APP_OK)
			json_get_int(sub, "x", false, 0, 1, &i, &fe); /* not an object */
		if (json_get_object(obj, c->string, true, &sub, &fe) == APP_OK)
			json_reject_unknown(sub, allowed, &fe);
	}
	json_get_str(obj, "missing", true, 0, 1, &s, &fe);
	json_reject_unknown(obj, allowed, &fe);
}

#define GUARDED_MAX (64 * 1024)

/* data copied so that it ends at a PROT_NONE page; data itself if too big. */
static const char *guarded(const uint8_t *data, size_t size)
{
	static char *area;
	static size_t page;

	if (!area) {
		page = (size_t)sysconf(_SC_PAGESIZE);
		area = mmap(NULL, GUARDED_MAX + page, PROT_READ | PROT_WRITE,
		            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (area == MAP_FAILED || mprotect(area + GUARDED_MAX, page, PROT_NONE))
			abort();
	}
	if (size > GUARDED_MAX)
		return (const char *)data;
	memcpy(area + GUARDED_MAX - size, data, size);
	return area + GUARDED_MAX - size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct field_error fe;
	cJSON *root = NULL, *again = NULL;
	struct buf out;
	struct jw w;

	if (json_parse(guarded(data, size), size, &lim, &root, &fe) != APP_OK)
		return 0;
	if (cJSON_IsObject(root))
		exercise_getters(root);

	buf_init(&out, 1 << 20);
	jw_init(&w, &out);
	write_value(&w, root);
	if (buf_ok(&out) && json_parse(out.data, out.len, &lim, &again, &fe) != APP_OK &&
	    !(fe.detail[0] && strstr(fe.detail, "must be at most")))
		abort(); /* the writer produced something the parser refuses */
	cJSON_Delete(again);
	buf_release(&out);
	cJSON_Delete(root);
	return 0;
}

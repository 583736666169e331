/* episodes: placing a file's episodes in a provider series (see episodes.h). */
#include "metadata/episodes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metadata/tmdb.h"

#define GROUP_EPISODES_MAX 20000 /* an absolute group of the longest anime is ~1 200 */
#define GROUPS_MAX 1024

static const cJSON *member(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A whole number member in [lo, hi], else def. */
static int int_of(const cJSON *o, const char *k, int lo, int hi, int def)
{
	const cJSON *v = member(o, k);
	if (!cJSON_IsNumber(v) || v->valuedouble < lo || v->valuedouble > hi ||
	    v->valuedouble != (double)(int)v->valuedouble)
		return def;
	return (int)v->valuedouble;
}

static const char *str_of(const cJSON *o, const char *k)
{
	const cJSON *v = member(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* --- absolute numbering ---------------------------------------------------- */

const char *episodes_absolute_group(const cJSON *tv)
{
	const cJSON *g, *best = NULL;

	cJSON_ArrayForEach(g, member(member(tv, "episode_groups"), "results"))
	{
		if (int_of(g, "type", 0, 100, 0) != 2 || !str_of(g, "id"))
			continue;
		if (!best || int_of(g, "episode_count", 0, 1 << 30, 0) >
		                 int_of(best, "episode_count", 0, 1 << 30, 0))
			best = g;
	}
	return best ? str_of(best, "id") : NULL;
}

struct ordered {
	const cJSON *o;
	int order, index;
};

static int by_order(const void *x, const void *y)
{
	const struct ordered *a = x, *b = y;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* The items of arr sorted by their "order" (their position when absent);
 * malloc'd, *n items; NULL with *n 0 when empty or out of memory. */
static struct ordered *sorted(const cJSON *arr, int max, int *n)
{
	int count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0, i = 0;
	struct ordered *v;
	const cJSON *it;

	*n = 0;
	if (count <= 0 || count > max || !(v = calloc((size_t)count, sizeof(*v))))
		return NULL;
	cJSON_ArrayForEach(it, arr)
	{
		v[i] = (struct ordered){it, int_of(it, "order", 0, 1 << 30, i), i};
		i++;
	}
	qsort(v, (size_t)count, sizeof(*v), by_order);
	*n = count;
	return v;
}

/*
 * Walk the group's episodes in absolute order, calling fn(pos, season,
 * episode, arg) for each (pos from 1) until it returns non-zero; returns
 * that value, or 0 at the end.
 */
static int group_walk(const cJSON *group, int (*fn)(int, int, int, void *), void *arg)
{
	int ng, pos = 0, rc = 0;
	struct ordered *groups = sorted(member(group, "groups"), GROUPS_MAX, &ng);

	for (int i = 0; i < ng && !rc; i++) {
		int ne;
		struct ordered *eps =
		    sorted(member(groups[i].o, "episodes"), GROUP_EPISODES_MAX, &ne);
		for (int k = 0; k < ne && !rc && pos < GROUP_EPISODES_MAX; k++) {
			int s = int_of(eps[k].o, "season_number", 0, 10000, -1);
			int e = int_of(eps[k].o, "episode_number", 0, 1 << 20, -1);
			if (s < 0 || e < 0)
				continue; /* not an episode: it takes no number */
			rc = fn(++pos, s, e, arg);
		}
		free(eps);
	}
	free(groups);
	return rc;
}

struct find_pos {
	int n, season, episode;
};

static int find_pos(int pos, int s, int e, void *arg)
{
	struct find_pos *f = arg;
	if (pos != f->n)
		return 0;
	f->season = s;
	f->episode = e;
	return 1;
}

int episodes_absolute_in_group(const cJSON *group, int n, int *season, int *episode)
{
	struct find_pos f = {n, -1, -1};

	if (n < 1 || !group_walk(group, find_pos, &f))
		return -1;
	*season = f.season;
	*episode = f.episode;
	return 0;
}

struct season_map {
	int season;
	cJSON *arr;
};

static int add_to_map(int pos, int s, int e, void *arg)
{
	struct season_map *m = arg;
	if (s == m->season) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddNumberToObject(o, "e", e) ||
		    !cJSON_AddNumberToObject(o, "a", pos) || !cJSON_AddItemToArray(m->arr, o)) {
			cJSON_Delete(o);
			return 1;
		}
	}
	return 0;
}

int episodes_absolute_by_count(const cJSON *tv, int n, int *season, int *episode, int *offset)
{
	int count, total = 0;
	struct ordered *seasons;
	const cJSON *arr = member(tv, "seasons");

	if (n < 1)
		return -1;
	/* by season number, whatever order the answer lists them in */
	count = cJSON_IsArray(arr) ? cJSON_GetArraySize(arr) : 0;
	if (count <= 0 || count > GROUPS_MAX ||
	    !(seasons = calloc((size_t)count, sizeof(*seasons))))
		return -1;
	int i = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		seasons[i] = (struct ordered){it, int_of(it, "season_number", 0, 10000, -1), i};
		i++;
	}
	qsort(seasons, (size_t)count, sizeof(*seasons), by_order);
	for (i = 0; i < count; i++) {
		int sn = seasons[i].order,
		    ec = int_of(seasons[i].o, "episode_count", 0, 1 << 20, 0);
		if (sn < 1)
			continue; /* specials take no absolute numbers */
		if (n <= total + ec) {
			*season = sn;
			*episode = n - total;
			*offset = total;
			free(seasons);
			return 0;
		}
		total += ec;
	}
	free(seasons);
	return -1;
}

/* --- air dates -------------------------------------------------------------- */

static bool is_date(const char *d)
{
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return false;
	return true;
}

int episodes_date_seasons(const cJSON *tv, const char *date, int out[2])
{
	const cJSON *s;
	int first = -1, last_before = -1, next = -1;
	char last_date[11] = "";

	if (!is_date(date))
		return 0;
	cJSON_ArrayForEach(s, member(tv, "seasons"))
	{
		int sn = int_of(s, "season_number", 1, 10000, -1);
		const char *ad = str_of(s, "air_date");
		if (sn < 1)
			continue;
		if (first < 0 || sn < first)
			first = sn;
		/* ISO dates compare as text */
		if (is_date(ad) && strcmp(ad, date) <= 0 &&
		    (last_before < 0 || strcmp(ad, last_date) > 0)) {
			last_before = sn;
			memcpy(last_date, ad, sizeof(last_date));
		}
	}
	if (first < 0)
		return 0;
	out[0] = last_before >= 0 ? last_before : first;
	/* the season after it: its air_date may be a day after its premiere */
	cJSON_ArrayForEach(s, member(tv, "seasons"))
	{
		int sn = int_of(s, "season_number", 1, 10000, -1);
		if (sn > out[0] && (next < 0 || sn < next))
			next = sn;
	}
	if (next < 0)
		return 1;
	out[1] = next;
	return 2;
}

int episodes_on_date(const cJSON *season, const char *date, int *out, int max)
{
	const cJSON *ep;
	int n = 0;

	if (!is_date(date))
		return 0;
	cJSON_ArrayForEach(ep, member(season, "episodes"))
	{
		const char *ad = str_of(ep, "air_date");
		int num = int_of(ep, "episode_number", 0, 1 << 20, -1);
		if (n < max && num >= 0 && ad && !strcmp(ad, date))
			out[n++] = num;
	}
	return n;
}

/* --- translations ------------------------------------------------------------ */

bool episodes_placeholder_name(const char *name, int number)
{
	const char *sp = name ? strchr(name, ' ') : NULL;
	char num[16];

	if (!sp || sp == name)
		return false;
	snprintf(num, sizeof(num), "%d", number);
	return !strcmp(sp + 1, num) && !strchr(sp + 1, ' ');
}

/* Add the episodes of one language's season answer to arr. */
static bool add_language(cJSON *arr, const char *lang, const cJSON *season)
{
	const cJSON *ep;

	cJSON_ArrayForEach(ep, member(season, "episodes"))
	{
		int num = int_of(ep, "episode_number", 0, 1 << 20, -1);
		const char *name = str_of(ep, "name"), *ov = str_of(ep, "overview");
		if (num < 0)
			continue;
		if (name && (!name[0] || episodes_placeholder_name(name, num)))
			name = NULL;
		if (ov && !ov[0])
			ov = NULL;
		if (!name && !ov)
			continue;
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "l", lang) ||
		    !cJSON_AddNumberToObject(o, "e", num) ||
		    (name && !cJSON_AddStringToObject(o, "n", name)) ||
		    (ov && !cJSON_AddStringToObject(o, "o", ov)) || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			return false;
		}
	}
	return true;
}

/* JSON text of arr into the arena (NULL when empty); arr is deleted. */
static char *print_into(struct arena *a, cJSON *arr, enum app_err *e)
{
	char *t = NULL, *out = NULL;

	if (cJSON_GetArraySize(arr) > 0) {
		t = cJSON_PrintUnformatted(arr);
		out = t ? arena_strdup(a, t) : NULL;
		if (!out)
			*e = APP_ERR_NOMEM;
	}
	cJSON_free(t);
	cJSON_Delete(arr);
	return out;
}

/* The season's episodes in every configured language but TMDb's default. */
static enum app_err fetch_languages(struct arena *a, int64_t tv_id, struct episode_place *p,
                                    char *err, size_t errlen)
{
	int nl;
	const char *const *langs = tmdb_languages(&nl);
	cJSON *arr = cJSON_CreateArray();
	enum app_err e = APP_OK;

	if (!arr)
		return APP_ERR_NOMEM;
	for (int i = 0; i < nl && !e; i++) {
		cJSON *s;
		if (!strcmp(langs[i], "en"))
			continue;
		e = tmdb_season_language(a, tv_id, p->season, langs[i], &s, err, errlen);
		if (e == APP_ERR_NOT_FOUND) {
			e = APP_OK;
			continue;
		}
		if (!e && !add_language(arr, langs[i], s))
			e = APP_ERR_NOMEM;
	}
	if (e) {
		cJSON_Delete(arr);
		return e;
	}
	p->translations = print_into(a, arr, &e);
	return e;
}

/* --- placing ----------------------------------------------------------------- */

/* The season's base answer into p->details (NULL on 404). */
static enum app_err fetch_season(struct arena *a, int64_t tv_id, int season, cJSON **out, char *err,
                                 size_t errlen)
{
	enum app_err e = tmdb_season(a, tv_id, season, out, err, errlen);
	if (e == APP_ERR_NOT_FOUND) {
		*out = NULL;
		return APP_OK;
	}
	return e;
}

static enum app_err place_by_date(struct arena *a, int64_t tv_id, const cJSON *tv,
                                  const struct episode_want *w, struct episode_place *p, char *err,
                                  size_t errlen)
{
	int cand[2], nc = episodes_date_seasons(tv, w->date, cand);

	for (int i = 0; i < nc; i++) {
		cJSON *s;
		enum app_err e = fetch_season(a, tv_id, cand[i], &s, err, errlen);
		if (e)
			return e;
		if (s && (p->n = episodes_on_date(s, w->date, p->numbers, EPISODES_MAX)) > 0) {
			p->season = cand[i];
			p->details = s;
			p->how = "date";
			return APP_OK;
		}
	}
	return APP_OK; /* no episode aired that day: the series only */
}

/* Absolute numbers to a season: through the absolute group, else counts. */
static enum app_err place_absolute(struct arena *a, const cJSON *tv, const struct episode_want *w,
                                   struct episode_place *p, char *err, size_t errlen)
{
	const char *gid = episodes_absolute_group(tv);
	cJSON *group = NULL;
	int s, ep, offset;
	enum app_err e = APP_OK;

	if (gid && (e = tmdb_episode_group(a, gid, &group, err, errlen))) {
		if (e != APP_ERR_NOT_FOUND && e != APP_ERR_VALIDATION)
			return e;
		group = NULL;
		e = APP_OK;
	}
	if (group && !episodes_absolute_in_group(group, w->numbers[0], &s, &ep)) {
		p->season = s;
		p->how = "absolute_group";
		for (int i = 0; i < w->n; i++) {
			int si, ei;
			/* a file spanning two seasons is linked in the first one */
			if (!episodes_absolute_in_group(group, w->numbers[i], &si, &ei) && si == s)
				p->numbers[p->n++] = ei;
		}
		struct season_map m = {s, cJSON_CreateArray()};
		if (!m.arr || group_walk(group, add_to_map, &m)) {
			cJSON_Delete(m.arr);
			return APP_ERR_NOMEM;
		}
		p->absolute = print_into(a, m.arr, &e);
		return e;
	}
	if (!episodes_absolute_by_count(tv, w->numbers[0], &s, &ep, &offset)) {
		int count = 0;
		const cJSON *it;
		p->season = s;
		p->how = "absolute_count";
		for (int i = 0; i < w->n; i++) {
			int si, ei, oi;
			if (!episodes_absolute_by_count(tv, w->numbers[i], &si, &ei, &oi) &&
			    si == s)
				p->numbers[p->n++] = ei;
		}
		cJSON_ArrayForEach(
		    it, member(tv, "seasons")) if (int_of(it, "season_number", 0, 10000, -1) == s)
		    count = int_of(it, "episode_count", 0, GROUP_EPISODES_MAX, 0);
		cJSON *arr = cJSON_CreateArray();
		for (int k = 1; arr && k <= count; k++) {
			cJSON *o = cJSON_CreateObject();
			if (!o || !cJSON_AddNumberToObject(o, "e", k) ||
			    !cJSON_AddNumberToObject(o, "a", offset + k) ||
			    !cJSON_AddItemToArray(arr, o)) {
				cJSON_Delete(o);
				cJSON_Delete(arr);
				return APP_ERR_NOMEM;
			}
		}
		if (!arr)
			return APP_ERR_NOMEM;
		p->absolute = print_into(a, arr, &e);
		return e;
	}
	/* past every known episode (a new one TMDb does not list yet) */
	p->season = 1;
	p->how = "absolute_season1";
	memcpy(p->numbers, w->numbers, sizeof(p->numbers));
	p->n = w->n;
	return APP_OK;
}

enum app_err episodes_place(struct arena *a, int64_t tv_id, const cJSON *tv,
                            const struct episode_want *w, struct episode_place *out, char *err,
                            size_t errlen)
{
	enum app_err e = APP_OK;

	memset(out, 0, sizeof(*out));
	out->season = -1;
	out->how = "none";
	if (w->season >= 0) {
		out->season = w->season;
		out->how = "number";
		memcpy(out->numbers, w->numbers, sizeof(out->numbers));
		out->n = w->n;
	} else if (w->date[0]) {
		e = place_by_date(a, tv_id, tv, w, out, err, errlen);
	} else if (w->n > 0) {
		e = place_absolute(a, tv, w, out, err, errlen);
	}
	if (e || out->season < 0)
		return e;
	if (!out->details && (e = fetch_season(a, tv_id, out->season, &out->details, err, errlen)))
		return e;
	/* the other languages only for a season TMDb knows */
	return out->details ? fetch_languages(a, tv_id, out, err, errlen) : APP_OK;
}

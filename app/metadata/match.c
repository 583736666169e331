#include "metadata/match.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/unicode.h"

void title_normalize(const char *in, char *out, size_t cap)
{
	static const char *const articles[] = {"the ", "a ", "an ", NULL};
	size_t o;

	if (!cap)
		return;
	o = uni_fold(in ? in : "", in ? strlen(in) : 0, out, cap);
	for (int k = 0; articles[k]; k++) {
		size_t al = strlen(articles[k]);
		if (o > al && !strncmp(out, articles[k], al)) {
			memmove(out, out + al, o - al + 1);
			break;
		}
	}
}

double title_similarity(const char *a, const char *b)
{
	char na[MATCH_TITLE_MAX], nb[MATCH_TITLE_MAX];
	uint32_t ca[MATCH_TITLE_MAX], cb[MATCH_TITLE_MAX];
	unsigned row[MATCH_TITLE_MAX + 1];

	title_normalize(a, na, sizeof(na));
	title_normalize(b, nb, sizeof(nb));
	size_t la = uni_decode(na, strlen(na), ca, MATCH_TITLE_MAX);
	size_t lb = uni_decode(nb, strlen(nb), cb, MATCH_TITLE_MAX);
	if (!la && !lb)
		return 0.0;
	if (!la || !lb)
		return 0.0;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (ca[i - 1] != cb[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t longer = la > lb ? la : lb;
	return 1.0 - (double)row[lb] / (double)longer;
}

int year_of(const char *date)
{
	int y = 0;
	if (!date)
		return 0;
	for (int i = 0; i < 4; i++) {
		if (date[i] < '0' || date[i] > '9')
			return 0;
		y = y * 10 + (date[i] - '0');
	}
	if (date[4] && date[4] != '-')
		return 0;
	return y >= 1870 && y <= 2200 ? y : 0;
}

static const char *str_member(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num_member(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? v->valuedouble : 0.0;
}

static double best_sim(const char *title, const char *cand, double best)
{
	if (cand && cand[0]) {
		double s = title_similarity(title, cand);
		if (s > best)
			return s;
	}
	return best;
}

int match_confidence(const char *title, int year, const cJSON *c, bool tv,
		     const char *const *alt_titles)
{
	double sim = 0.0, pop;
	int score, cy;

	if (!cJSON_IsObject(c) || !title || !title[0])
		return 0;
	sim = best_sim(title, str_member(c, tv ? "name" : "title"), sim);
	sim = best_sim(title, str_member(c, tv ? "original_name" : "original_title"), sim);
	for (int i = 0; alt_titles && alt_titles[i]; i++)
		sim = best_sim(title, alt_titles[i], sim);
	score = (int)lround(sim * 80.0);
	cy = year_of(str_member(c, tv ? "first_air_date" : "release_date"));
	if (year && cy) {
		int d = abs(year - cy);
		score += d == 0 ? 20 : d == 1 ? 10 : -20;
	}
	pop = num_member(c, "popularity");
	if (pop > 0)
		score += pop >= 100 ? 2 : pop >= 10 ? 1 : 0;
	return score < 0 ? 0 : score > 100 ? 100 : score;
}

struct scored {
	int index, conf;
	double pop;
};

static int by_score(const void *a, const void *b)
{
	const struct scored *x = a, *y = b;
	if (x->conf != y->conf)
		return y->conf - x->conf;
	return (y->pop > x->pop) - (y->pop < x->pop);
}

int match_pick(const cJSON *results, const char *title, int year, bool tv, int *best,
	       struct buf *candidates)
{
	struct scored sc[64];
	int n = 0, i = 0;
	const cJSON *it;

	*best = -1;
	cJSON_ArrayForEach(it, results)
	{
		if (n < 64 && cJSON_IsObject(it) && cJSON_IsNumber(cJSON_GetObjectItem(it, "id"))) {
			sc[n].index = i;
			sc[n].conf = match_confidence(title, year, it, tv, NULL);
			sc[n].pop = num_member(it, "popularity");
			n++;
		}
		i++;
	}
	if (!n)
		return 0;
	qsort(sc, (size_t)n, sizeof(sc[0]), by_score);
	*best = sc[0].index;
	if (candidates) {
		struct jw w;
		jw_init(&w, candidates);
		jw_arr_open(&w);
		for (int k = 0; k < n && k < 5; k++) {
			const cJSON *c = cJSON_GetArrayItem(results, sc[k].index);
			jw_obj_open(&w);
			jw_kint(&w, "tmdb_id", (int64_t)num_member(c, "id"));
			jw_kstr(&w, "title", str_member(c, tv ? "name" : "title"));
			int y = year_of(str_member(c, tv ? "first_air_date" : "release_date"));
			if (y)
				jw_kint(&w, "year", y);
			else
				jw_knull(&w, "year");
			jw_kint(&w, "confidence", sc[k].conf);
			jw_obj_close(&w);
		}
		jw_arr_close(&w);
	}
	return sc[0].conf;
}

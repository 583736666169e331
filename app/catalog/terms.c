#include "catalog/terms.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db/value.h"

#define REFRESH_SECONDS 60
#define MAX_WORD 64
#define TEXT_OF(x) #x
#define ROWS_TEXT_OF(x) TEXT_OF(x)
#define ROWS_TEXT ROWS_TEXT_OF(CATALOG_COMMON_ROWS)

static const struct db_stmt q_common_terms = {
	"catalog_common_terms",
	"SELECT x.w, s.most_common_elem_freqs[x.i] * t.n, t.n FROM pg_stats s CROSS JOIN LATERAL"
	" unnest(s.most_common_elems::text::text[]) WITH ORDINALITY x(w, i) CROSS JOIN (SELECT"
	" greatest(c.reltuples, 0)::float8 AS n FROM pg_class c WHERE c.oid = 'movies'::regclass) t"
	" WHERE s.schemaname = current_schema() AND s.tablename = 'movies'"
	" AND s.attname = 'search_doc' AND s.most_common_elem_freqs[x.i] * t.n > $1::float8"
	" ORDER BY x.w COLLATE \"C\"",
	1, true};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **words;  /* in strcmp order */
static double *rows;  /* rows[i]: the rows words[i] is in */
static double total;  /* rows of the table */
static int nwords;
static time_t fetched;

static void drop_words(void)
{
	for (int i = 0; i < nwords; i++)
		free(words[i]);
	free(words);
	free(rows);
	words = NULL;
	rows = NULL;
	nwords = 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reload the common words; keeps the old ones when the query fails. */
static void refresh(struct db *db, struct arena *a, time_t now)
{
	const char *p[] = {ROWS_TEXT};
	PGresult *r;

	fetched = now; /* a failure waits for the next period too */
	if (db_query(db, a, &q_common_terms, p, &r))
		return;
	int n = PQntuples(r);
	char **w = calloc((size_t)n + 1, sizeof(*w));
	double *c = calloc((size_t)n + 1, sizeof(*c));
	if (!w || !c) {
		free(w);
		free(c);
		return;
	}
	for (int i = 0; i < n; i++) {
		c[i] = strtod(PQgetvalue(r, i, 1), NULL);
		if (!(w[i] = strdup(PQgetvalue(r, i, 0)))) {
			while (i--)
				free(w[i]);
			free(w);
			free(c);
			return;
		}
	}
	drop_words();
	words = w;
	rows = c;
	nwords = n;
	total = n ? strtod(PQgetvalue(r, 0, 2), NULL) : 0;
}

/* The next word of *s (split and lower-cased as catalog_common_query
 * says) into w; its start and length in q through start/len. false at the
 * end. A word longer than MAX_WORD is never common (*is_long). */
static bool next_word(const unsigned char **s, char w[MAX_WORD + 1], const unsigned char **start,
		      size_t *len, bool *is_long)
{
	const unsigned char *p = *s;
	size_t n = 0;

	while (*p && *p < 0x80 && !isalnum(*p))
		p++;
	if (!*p) {
		*s = p;
		return false;
	}
	*start = p;
	while (*p && (*p >= 0x80 || isalnum(*p))) {
		if (n < MAX_WORD)
			w[n] = (char)tolower(*p);
		n++;
		p++;
	}
	*len = n;
	*is_long = n > MAX_WORD;
	w[n > MAX_WORD ? MAX_WORD : n] = '\0';
	*s = p;
	return true;
}

static int find_word(const char *w, bool is_long, const char *const *list, int n)
{
	const char *key = w;
	const char *const *hit;
	if (is_long || !list || n <= 0)
		return -1;
	hit = bsearch(&key, list, (size_t)n, sizeof(*list), cmp_str);
	return hit ? (int)(hit - list) : -1;
}

bool catalog_words_common(const char *q, const char *const *common, int ncommon)
{
	char w[MAX_WORD + 1];
	const unsigned char *s = (const unsigned char *)q, *start;
	size_t len;
	bool is_long;
	int nseen = 0;

	while (next_word(&s, w, &start, &len, &is_long)) {
		if (find_word(w, is_long, common, ncommon) < 0)
			return false;
		nseen++;
	}
	return nseen > 0;
}

double catalog_words_rows(const char *q, const char *const *list, const double *nrows, int n,
			  double all)
{
	char w[MAX_WORD + 1];
	const unsigned char *s = (const unsigned char *)q, *start;
	size_t len;
	bool is_long;
	double est = all;
	int nseen = 0;

	while (next_word(&s, w, &start, &len, &is_long)) {
		int i = find_word(w, is_long, list, n);
		if (i < 0 || all <= 0)
			return -1;
		est *= nrows[i] / all;
		nseen++;
	}
	return nseen ? est : -1;
}

const char *catalog_words_selective(struct arena *a, const char *q, const char *const *list,
				    const double *nrows, int n, double all)
{
	char w[MAX_WORD + 1];
	const unsigned char *s = (const unsigned char *)q, *start;
	size_t len, used = 0;
	bool is_long, dropped = false;
	char *out = arena_alloc(a, strlen(q) + 1);

	if (!out)
		return NULL;
	while (next_word(&s, w, &start, &len, &is_long)) {
		int i = find_word(w, is_long, list, n);
		if (i >= 0 && nrows[i] > all * CATALOG_STOP_SHARE) {
			dropped = true;
			continue;
		}
		if (used)
			out[used++] = ' ';
		memcpy(out + used, start, len);
		used += len;
	}
	out[used] = '\0';
	return dropped && used ? out : q;
}

const char *catalog_selective_words(struct db *db, struct arena *a, const char *q)
{
	time_t now = time(NULL);
	const char *out;

	pthread_mutex_lock(&lock);
	if (!fetched || now - fetched >= REFRESH_SECONDS || now < fetched)
		refresh(db, a, now);
	out = catalog_words_selective(a, q, (const char *const *)words, rows, nwords, total);
	pthread_mutex_unlock(&lock);
	return out;
}

double catalog_common_threshold(double all)
{
	/* a page of 20 found by testing rows in popularity order tests about
	 * 20 * all / matches rows; ranking reads every match: walking is the
	 * cheaper when the matches are more than sqrt(20 * all) */
	double t = sqrt(20.0 * (all > 0 ? all : 0));
	return t < CATALOG_COMMON_ROWS ? t : CATALOG_COMMON_ROWS;
}

/* What the statistics say of q: whether every word is common, the rows
 * all of them are in together as estimated, and the threshold; the rows
 * of the table through *all when it is not NULL. */
static bool words_estimate(struct db *db, struct arena *a, const char *q, double *est,
			   double *threshold, double *all)
{
	time_t now = time(NULL);
	bool all_common;

	pthread_mutex_lock(&lock);
	if (!fetched || now - fetched >= REFRESH_SECONDS || now < fetched)
		refresh(db, a, now);
	all_common = catalog_words_common(q, (const char *const *)words, nwords);
	*est = catalog_words_rows(q, (const char *const *)words, rows, nwords, total);
	*threshold = catalog_common_threshold(total);
	if (all)
		*all = total;
	pthread_mutex_unlock(&lock);
	return all_common;
}

bool catalog_common_query(struct db *db, struct arena *a, const char *q)
{
	double est, threshold;

	/* every word common, and all of them together too: "night of
	 * berlin" is three common words in few rows together */
	return words_estimate(db, a, q, &est, &threshold, NULL) && est > threshold;
}

bool catalog_walk_pays(struct db *db, struct arena *a, const char *q, int want)
{
	double est, threshold, all;

	/* words the statistics do not know together (catalog_common_search
	 * counted them) are in rows near the threshold: matched */
	if (!words_estimate(db, a, q, &est, &threshold, &all) || est <= threshold)
		return false;
	/* walking tests about want * all / est rows, matching reads est */
	return est * est > (double)want * all;
}

/* The matches of q, counted up to $2: the index's bitmap, and no row read
 * where the visibility map says its page is all visible. Planned with the
 * values, so the index answers whatever the words. */
static const struct db_stmt q_match_rows = {
	"catalog_match_rows",
	"SELECT count(*) FROM (SELECT 1 FROM movies m WHERE m.search_doc @@"
	" plainto_tsquery('simple', rv_fold($1::text)) LIMIT $2::int) x",
	2, true, true};

static int count_words(const char *q)
{
	char w[MAX_WORD + 1];
	const unsigned char *s = (const unsigned char *)q, *start;
	size_t len;
	bool is_long;
	int n = 0;

	while (next_word(&s, w, &start, &len, &is_long))
		n++;
	return n;
}

bool catalog_common_search(struct db *db, struct arena *a, const char *q)
{
	double est, threshold;
	char limit[32];
	PGresult *r;
	int64_t n;

	if (!words_estimate(db, a, q, &est, &threshold, NULL))
		return false;
	if (est > threshold)
		return true;
	/* one word: the statistics count its rows. Several: the estimate
	 * takes them as independent, and words that go together ("sao
	 * paulo", "le jardin") are in far more rows than it says; ranking
	 * them all would read those rows, so they are counted, up to just
	 * past the threshold */
	if (count_words(q) < 2)
		return false;
	snprintf(limit, sizeof(limit), "%.0f", floor(threshold) + 1);
	const char *p[] = {q, limit};
	if (db_query(db, a, &q_match_rows, p, &r) || db_get_int64(r, 0, 0, &n))
		return false; /* the ranked search is the default */
	return (double)n > threshold;
}

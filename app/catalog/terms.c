#include "catalog/terms.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REFRESH_SECONDS 60
#define MAX_WORD 64
#define TEXT_OF(x) #x
#define ROWS_TEXT_OF(x) TEXT_OF(x)
#define ROWS_TEXT ROWS_TEXT_OF(CATALOG_COMMON_ROWS)

static const struct db_stmt q_common_terms = {
	"catalog_common_terms",
	"SELECT x.w FROM pg_stats s CROSS JOIN LATERAL unnest(s.most_common_elems::text::text[])"
	" WITH ORDINALITY x(w, i) WHERE s.schemaname = current_schema() AND s.tablename = 'movies'"
	" AND s.attname = 'search_doc' AND s.most_common_elem_freqs[x.i] * (SELECT"
	" greatest(c.reltuples, 0) FROM pg_class c WHERE c.oid = 'movies'::regclass) > $1::float8",
	1, true};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char **words;
static int nwords;
static time_t fetched;

static void drop_words(void)
{
	for (int i = 0; i < nwords; i++)
		free(words[i]);
	free(words);
	words = NULL;
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
	if (!w)
		return;
	for (int i = 0; i < n; i++)
		if (!(w[i] = strdup(PQgetvalue(r, i, 0)))) {
			while (i--)
				free(w[i]);
			free(w);
			return;
		}
	qsort(w, (size_t)n, sizeof(*w), cmp_str);
	drop_words();
	words = w;
	nwords = n;
}

bool catalog_words_common(const char *q, const char *const *common, int ncommon)
{
	char w[MAX_WORD + 1];
	int nseen = 0;

	if (!common || ncommon <= 0)
		return false; /* bsearch may not be handed a NULL array */

	for (const unsigned char *s = (const unsigned char *)q; *s;) {
		while (*s && *s < 0x80 && !isalnum(*s))
			s++;
		size_t n = 0;
		while (*s && (*s >= 0x80 || isalnum(*s))) {
			if (n < MAX_WORD)
				w[n] = (char)tolower(*s);
			n++;
			s++;
		}
		if (!n)
			continue;
		if (n > MAX_WORD)
			return false;
		w[n] = '\0';
		const char *key = w;
		if (!bsearch(&key, common, (size_t)ncommon, sizeof(*common), cmp_str))
			return false;
		nseen++;
	}
	return nseen > 0;
}

bool catalog_common_query(struct db *db, struct arena *a, const char *q)
{
	time_t now = time(NULL);
	bool common;

	pthread_mutex_lock(&lock);
	if (!fetched || now - fetched >= REFRESH_SECONDS || now < fetched)
		refresh(db, a, now);
	common = catalog_words_common(q, (const char *const *)words, nwords);
	pthread_mutex_unlock(&lock);
	return common;
}

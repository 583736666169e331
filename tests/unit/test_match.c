/*
 * match: title normalisation, Unicode-aware similarity and the confidence
 * of provider candidates (app/metadata/match.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "metadata/match.h"

static void norm(const char *in, const char *want)
{
	char out[MATCH_TITLE_MAX];
	title_normalize(in, out, sizeof(out));
	assert_string_equal(out, want);
}

static void normalises(void **state)
{
	(void)state;
	norm("The Matrix", "matrix");
	norm("Amélie", "amelie");
	norm("Léon: The Professional", "leon the professional");
	norm("Fast & Furious", "fast and furious");
	norm("Schindler's List", "schindlers list");
	norm("Straße", "strasse");
	norm("Łódź", "lodz");
	norm("  WALL·E  ", "wall e");
	norm("千と千尋の神隠し", "千と千尋の神隠し");
	norm("", "");
	/* a lone article is a title, not an article */
	norm("The", "the");
	/* a tiny buffer never splits a character */
	char small[4];
	title_normalize("日本", small, sizeof(small));
	assert_string_equal(small, "日");
}

static void similarity(void **state)
{
	(void)state;
	assert_true(title_similarity("The Matrix", "Matrix") == 1.0);
	assert_true(title_similarity("Amelie", "Amélie") == 1.0);
	/* one substitution in six code points, counted per character not byte */
	double s = title_similarity("千と千尋の神", "千と千尋の隠");
	assert_true(s > 0.83 && s < 0.84);
	assert_true(title_similarity("Matirx", "Matrix") > 0.6);
	assert_true(title_similarity("Fight Club", "Star Wars") < 0.3);
	assert_true(title_similarity("", "") == 0.0);
}

static void years(void **state)
{
	(void)state;
	assert_int_equal(year_of("1999-10-15"), 1999);
	assert_int_equal(year_of("2004"), 2004);
	assert_int_equal(year_of(""), 0);
	assert_int_equal(year_of("19x9-01-01"), 0);
	assert_int_equal(year_of(NULL), 0);
}

static void confidence_and_pick(void **state)
{
	(void)state;
	cJSON *r = cJSON_Parse(
	    "[{\"id\":1,\"title\":\"Fight Club\",\"release_date\":\"2023-01-01\",\"popularity\":1},"
	    " {\"id\":550,\"title\":\"Fight Club\",\"release_date\":\"1999-10-15\",\"popularity\":60},"
	    " {\"id\":7,\"title\":\"Fight Club 2\",\"release_date\":\"1999-01-01\",\"popularity\":900},"
	    " \"junk\", {\"title\":\"no id\"}]");
	struct buf b;
	int best;

	assert_non_null(r);
	/* exact title and year beat a more popular near-miss and a remake */
	assert_int_equal(match_confidence("Fight Club", 1999, cJSON_GetArrayItem(r, 1), false, NULL), 100);
	assert_int_equal(match_confidence("Fight Club", 1999, cJSON_GetArrayItem(r, 0), false, NULL), 60);
	buf_init(&b, 4096);
	assert_int_equal(match_pick(r, "Fight Club", 1999, false, &best, &b), 100);
	assert_int_equal(best, 1);
	assert_non_null(strstr(b.data, "\"tmdb_id\":550"));
	/* without a year the popular exact title wins the tie */
	assert_int_equal(match_pick(r, "Fight Club", 0, false, &best, NULL), 81);
	assert_int_equal(best, 1);
	/* one year apart is partial credit */
	assert_int_equal(match_confidence("Fight Club", 2000, cJSON_GetArrayItem(r, 1), false, NULL), 91);
	/* the original title counts */
	cJSON *o = cJSON_Parse("{\"id\":3,\"title\":\"Spirited Away\",\"original_title\":"
			       "\"千と千尋の神隠し\",\"release_date\":\"2001-07-20\"}");
	assert_int_equal(match_confidence("千と千尋の神隠し", 2001, o, false, NULL), 100);
	/* TV uses name/first_air_date */
	cJSON *t = cJSON_Parse("{\"id\":1399,\"name\":\"Game of Thrones\",\"first_air_date\":\"2011-04-17\"}");
	assert_int_equal(match_confidence("Game of Thrones", 0, t, true, NULL), 80);
	assert_int_equal(match_confidence("Game of Thrones", 0, t, false, NULL), 0);
	cJSON *empty = cJSON_Parse("[]");
	assert_int_equal(match_pick(empty, "x", 0, false, &best, NULL), 0);
	assert_int_equal(best, -1);
	buf_release(&b);
	cJSON_Delete(r);
	cJSON_Delete(o);
	cJSON_Delete(t);
	cJSON_Delete(empty);
}

/* Titles that differ only in Unicode form (case in any script, width,
 * decomposition, diacritics, ligatures, encoding) are the same title. */
static void unicode_forms(void **state)
{
	(void)state;
	static const char *const pairs[][2] = {
	    {"МОСКВА", "Москва"},
	    {"Ζ", "ζ"},
	    {"ＡＫＩＲＡ", "AKIRA"},
	    {"Ame\xcc\x81lie", "Amélie"},
	    {"Amélie", "Amelie"},
	    {"Œuvre", "OEuvre"},
	    {"Œuvre", "oeuvre"},
	    {"Taț", "Tat"},
	    {"Am\xe9lie", "Amélie"}, /* a Latin-1 name from an old share */
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		assert_true(title_similarity(pairs[i][0], pairs[i][1]) == 1.0);

	/* full confidence for the provider's spelling of the file's title */
	cJSON *m = cJSON_Parse("{\"id\":1,\"title\":\"Москва\",\"release_date\":\"1927-01-01\"}");
	cJSON *a = cJSON_Parse("{\"id\":149,\"title\":\"Akira\",\"release_date\":\"1988-07-16\"}");
	cJSON *e = cJSON_Parse("{\"id\":194,\"title\":\"Amélie\",\"original_title\":"
			       "\"Le Fabuleux Destin d'Amélie Poulain\",\"release_date\":\"2001-04-25\"}");
	assert_int_equal(match_confidence("МОСКВА", 1927, m, false, NULL), 100);
	assert_int_equal(match_confidence("ＡＫＩＲＡ", 1988, a, false, NULL), 100);
	assert_int_equal(match_confidence("Ame\xcc\x81lie", 2001, e, false, NULL), 100);
	assert_int_equal(match_confidence("AMELIE", 2001, e, false, NULL), 100);
	assert_int_equal(match_confidence("le fabuleux destin d\xe2\x80\x99" "ame\xcc\x81lie poulain",
					  2001, e, false, NULL),
			 100);

	/* invalid UTF-8 on either side is scored, never a crash */
	cJSON *bad = cJSON_CreateObject();
	cJSON_AddNumberToObject(bad, "id", 5);
	cJSON_AddStringToObject(bad, "title", "\xff\xfe\xc3(\xed\xa0\x80");
	int c = match_confidence("\xc0\x80\xf4\x90\x80\x80", 0, bad, false, NULL);
	assert_true(c >= 0 && c <= 100);
	assert_int_equal(match_confidence("Am\xe9lie", 2001, e, false, NULL), 100);
	double s = title_similarity("\xe2\x82", "\x80");
	assert_true(s >= 0.0 && s <= 1.0);
	cJSON_Delete(m);
	cJSON_Delete(a);
	cJSON_Delete(e);
	cJSON_Delete(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(normalises),
	    cmocka_unit_test(similarity),
	    cmocka_unit_test(years),
	    cmocka_unit_test(confidence_and_pick),
	    cmocka_unit_test(unicode_forms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

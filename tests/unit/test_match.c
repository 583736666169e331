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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(normalises),
	    cmocka_unit_test(similarity),
	    cmocka_unit_test(years),
	    cmocka_unit_test(confidence_and_pick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The pure steps of placing a file's episodes (app/metadata/episodes.h):
 * absolute numbers through an episode group (groups and episodes taken in
 * their "order", whatever order the answer lists them in) and by counting
 * the regular seasons, the seasons an air date is looked for in, episodes
 * by air date, and TMDb's stand-in names for missing translations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "metadata/episodes.h"

/* two groups listed out of order; a special inside the first; one entry
 * that is not an episode */
static const char group_json[] = "{\"id\":\"abc\",\"type\":2,\"groups\":["
                                 " {\"order\":2,\"episodes\":["
                                 "  {\"order\":1,\"season_number\":2,\"episode_number\":2},"
                                 "  {\"order\":0,\"season_number\":2,\"episode_number\":1}]},"
                                 " {\"order\":1,\"episodes\":["
                                 "  {\"order\":0,\"season_number\":1,\"episode_number\":1},"
                                 "  {\"order\":1,\"season_number\":1,\"episode_number\":2},"
                                 "  {\"order\":2,\"name\":\"not an episode\"},"
                                 "  {\"order\":3,\"season_number\":0,\"episode_number\":5}]}]}";

static const char tv_json[] =
    "{\"seasons\":["
    " {\"season_number\":2,\"episode_count\":3,\"air_date\":\"2012-04-01\"},"
    " {\"season_number\":0,\"episode_count\":40,\"air_date\":\"2010-12-05\"},"
    " {\"season_number\":1,\"episode_count\":10,\"air_date\":\"2011-04-18\"}],"
    " \"episode_groups\":{\"results\":["
    "  {\"id\":\"aaa\",\"type\":6,\"episode_count\":99},"
    "  {\"id\":\"bbb\",\"type\":2,\"episode_count\":10},"
    "  {\"id\":\"ccc\",\"type\":2,\"episode_count\":12},"
    "  {\"type\":2,\"episode_count\":50}]}}";

static void absolute_through_a_group(void **state)
{
	cJSON *g = cJSON_Parse(group_json);
	int s = -9, e = -9;
	(void)state;

	assert_int_equal(episodes_absolute_in_group(g, 1, &s, &e), 0);
	assert_int_equal(s, 1);
	assert_int_equal(e, 1);
	assert_int_equal(episodes_absolute_in_group(g, 3, &s, &e), 0);
	assert_int_equal(s, 0); /* the special takes number 3; the non-episode none */
	assert_int_equal(e, 5);
	assert_int_equal(episodes_absolute_in_group(g, 4, &s, &e), 0);
	assert_int_equal(s, 2);
	assert_int_equal(e, 1);
	assert_int_equal(episodes_absolute_in_group(g, 5, &s, &e), 0);
	assert_int_equal(s, 2);
	assert_int_equal(e, 2);
	assert_int_equal(episodes_absolute_in_group(g, 6, &s, &e), -1);
	assert_int_equal(episodes_absolute_in_group(g, 0, &s, &e), -1);
	assert_int_equal(episodes_absolute_in_group(NULL, 1, &s, &e), -1);
	cJSON_Delete(g);
}

static void absolute_by_counting_seasons(void **state)
{
	cJSON *tv = cJSON_Parse(tv_json);
	int s = -9, e = -9, off = -9;
	(void)state;

	/* specials take no number; seasons in number order */
	assert_int_equal(episodes_absolute_by_count(tv, 10, &s, &e, &off), 0);
	assert_int_equal(s, 1);
	assert_int_equal(e, 10);
	assert_int_equal(off, 0);
	assert_int_equal(episodes_absolute_by_count(tv, 11, &s, &e, &off), 0);
	assert_int_equal(s, 2);
	assert_int_equal(e, 1);
	assert_int_equal(off, 10);
	assert_int_equal(episodes_absolute_by_count(tv, 14, &s, &e, &off), -1);
	cJSON_Delete(tv);
}

static void the_absolute_group_is_the_largest_of_type_2(void **state)
{
	cJSON *tv = cJSON_Parse(tv_json), *none = cJSON_Parse("{\"episode_groups\":{}}");
	(void)state;

	assert_string_equal(episodes_absolute_group(tv), "ccc");
	assert_null(episodes_absolute_group(none));
	cJSON_Delete(tv);
	cJSON_Delete(none);
}

static void seasons_for_an_air_date(void **state)
{
	cJSON *tv = cJSON_Parse(tv_json);
	int out[2];
	(void)state;

	/* the last season begun on or before, then the next */
	assert_int_equal(episodes_date_seasons(tv, "2011-05-01", out), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(out[1], 2);
	/* before every regular season (the season's air_date is a day late):
	 * the first, never the specials */
	assert_int_equal(episodes_date_seasons(tv, "2011-04-17", out), 2);
	assert_int_equal(out[0], 1);
	assert_int_equal(episodes_date_seasons(tv, "2013-01-01", out), 1);
	assert_int_equal(out[0], 2);
	assert_int_equal(episodes_date_seasons(tv, "2013-1-01", out), 0);
	cJSON_Delete(tv);
}

static void episodes_by_air_date(void **state)
{
	cJSON *s = cJSON_Parse("{\"episodes\":["
	                       "{\"episode_number\":1,\"air_date\":\"2024-03-04\"},"
	                       "{\"episode_number\":2,\"air_date\":\"2024-03-05\"},"
	                       "{\"episode_number\":3,\"air_date\":\"2024-03-05\"},"
	                       "{\"episode_number\":4,\"air_date\":null}]}");
	int out[4];
	(void)state;

	assert_int_equal(episodes_on_date(s, "2024-03-05", out, 4), 2);
	assert_int_equal(out[0], 2);
	assert_int_equal(out[1], 3);
	assert_int_equal(episodes_on_date(s, "2024-03-06", out, 4), 0);
	assert_int_equal(episodes_on_date(s, "2024-03-05", out, 1), 1);
	cJSON_Delete(s);
}

static void stand_in_names(void **state)
{
	(void)state;
	assert_true(episodes_placeholder_name("Episode 9", 9));
	assert_true(episodes_placeholder_name("Folge 12", 12));
	assert_false(episodes_placeholder_name("Episode 9", 8));
	assert_false(episodes_placeholder_name("Baelor", 9));
	assert_false(episodes_placeholder_name("Chapter 9 Returns", 9));
	assert_false(episodes_placeholder_name(" 9", 9));
	assert_false(episodes_placeholder_name(NULL, 9));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(absolute_through_a_group),
	    cmocka_unit_test(absolute_by_counting_seasons),
	    cmocka_unit_test(the_absolute_group_is_the_largest_of_type_2),
	    cmocka_unit_test(seasons_for_an_air_date),
	    cmocka_unit_test(episodes_by_air_date),
	    cmocka_unit_test(stand_in_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

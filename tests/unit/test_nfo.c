/*
 * nfo: hand-written sidecar files (full movie with uniqueids, tvshow,
 * episodedetails, entities/CDATA/comments, BOM, URL-only NFOs) with exact
 * expected values, the JSON shape, and malformed input of every kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/json.h"
#include "library/nfo.h"

static struct nfo N;
static char E[160];

static const struct nfo *ok(const char *text)
{
	enum app_err e = nfo_parse(text, strlen(text), &N, E, sizeof(E));
	if (e != APP_OK)
		fail_msg("unexpected error %d: %s", (int)e, E);
	assert_string_equal(E, "");
	return &N;
}

/* Expect err, and a reason containing want (which includes the offset). */
static void bad_n(const char *text, size_t len, enum app_err err, const char *want)
{
	enum app_err e = nfo_parse(text, len, &N, E, sizeof(E));
	assert_int_equal(e, err);
	if (!strstr(E, want))
		fail_msg("reason \"%s\" lacks \"%s\"", E, want);
	/* out is reset to an empty movie on error */
	assert_int_equal(N.kind, NFO_MOVIE);
	assert_string_equal(N.title, "");
	assert_int_equal(N.tmdb_id, 0);
	assert_int_equal(N.season, -1);
}

static void bad(const char *text, const char *want)
{
	bad_n(text, strlen(text), APP_ERR_UNPROCESSABLE, want);
}

static const char MOVIE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<!-- created by Kodi -->\n"
    "<movie>\n"
    "  <title>The Matrix</title>\n"
    "  <originaltitle>The Matrix</originaltitle>\n"
    "  <sorttitle>Matrix 1</sorttitle>\n"
    "  <ratings><rating name=\"imdb\" max=\"10\" default=\"true\"><value>8.7</value>"
    "<votes>1900000</votes></rating></ratings>\n"
    "  <plot>A hacker learns the truth.</plot>\n"
    "  <runtime>136</runtime>\n"
    "  <mpaa>Rated R</mpaa>\n"
    "  <uniqueid type=\"imdb\">tt0133093</uniqueid>\n"
    "  <uniqueid type='tmdb' default='true'>603</uniqueid>\n"
    "  <uniqueid type=\"tmdb\">999</uniqueid>\n"
    "  <id>tt7654321</id>\n"
    "  <genre>Action</genre>\n"
    "  <genre>Science Fiction</genre>\n"
    "  <genre>  </genre>\n"
    "  <premiered>1999-03-30</premiered>\n"
    "  <actor><name>Keanu Reeves</name><role>Neo</role><title>ignored</title></actor>\n"
    "  <lockdata>true</lockdata>\n"
    "</movie>\n";

static void test_movie(void **state)
{
	(void)state;
	const struct nfo *n = ok(MOVIE);
	assert_int_equal(n->kind, NFO_MOVIE);
	assert_string_equal(n->title, "The Matrix");
	assert_string_equal(n->originaltitle, "The Matrix");
	assert_string_equal(n->sorttitle, "Matrix 1");
	assert_int_equal(n->year, 1999); /* from premiered */
	assert_string_equal(n->premiered, "1999-03-30");
	assert_string_equal(n->plot, "A hacker learns the truth.");
	assert_int_equal(n->runtime, 136);
	assert_string_equal(n->mpaa, "Rated R");
	assert_int_equal(n->tmdb_id, 603);            /* default wins over later */
	assert_string_equal(n->imdb_id, "tt0133093"); /* uniqueid beats <id> */
	assert_int_equal(n->tvdb_id, 0);
	assert_int_equal(n->season, -1);
	assert_int_equal(n->episode, -1);
	assert_int_equal(n->genre_count, 2);
	assert_string_equal(n->genres[0], "Action");
	assert_string_equal(n->genres[1], "Science Fiction");
	assert_true(n->lockdata);
}

static void test_movie_ids(void **state)
{
	(void)state;
	const struct nfo *n =
	    ok("<movie><id>603</id><imdbid>tt0133093</imdbid><year>2001</year>"
	       "<premiered>1999-03-30</premiered><certification>PG</certification>"
	       "<lockdata>false</lockdata></movie>");
	assert_int_equal(n->tmdb_id, 603);
	assert_string_equal(n->imdb_id, "tt0133093");
	assert_int_equal(n->year, 2001); /* an explicit year wins */
	assert_string_equal(n->mpaa, "PG");
	assert_false(n->lockdata);

	n = ok("<movie><tmdbid>42</tmdbid><id>7</id><uniqueid type=\"IMDB\">tt12</uniqueid>"
	       "<uniqueid>55</uniqueid><year>abc</year><runtime>-5</runtime></movie>");
	assert_int_equal(n->tmdb_id, 42);
	assert_string_equal(n->imdb_id, ""); /* too short: ignored */
	assert_int_equal(n->year, 0);
	assert_int_equal(n->runtime, 0);
}

static void test_tvshow(void **state)
{
	(void)state;
	const struct nfo *n = ok("<tvshow>\n<title>Breaking Bad</title>\n<id>81189</id>\n"
	                         "<uniqueid type=\"tmdb\">1396</uniqueid>\n"
	                         "<season>5</season><episode>62</episode>\n"
	                         "<premiered>2008-01-20</premiered><genre>Drama</genre></tvshow>");
	assert_int_equal(n->kind, NFO_TVSHOW);
	assert_string_equal(n->title, "Breaking Bad");
	assert_int_equal(n->tvdb_id, 81189);
	assert_int_equal(n->tmdb_id, 1396);
	assert_int_equal(n->year, 2008);
	assert_int_equal(n->season, -1); /* not an episode */
	assert_int_equal(n->episode, -1);
	assert_int_equal(n->genre_count, 1);
}

static void test_episode(void **state)
{
	(void)state;
	const struct nfo *n = ok("<episodedetails><title>Pilot</title><season>1</season>"
	                         "<episode>0</episode><aired>2008-01-20</aired>"
	                         "<uniqueid type=\"tvdb\" default=\"true\">349232</uniqueid>"
	                         "<id>1</id></episodedetails>\n"
	                         "<episodedetails><title>Second</title><season>9</season>"
	                         "</episodedetails>\n");
	assert_int_equal(n->kind, NFO_EPISODE);
	assert_string_equal(n->title, "Pilot"); /* first of a multi-episode file */
	assert_int_equal(n->season, 1);
	assert_int_equal(n->episode, 0);
	assert_string_equal(n->premiered, "2008-01-20");
	assert_int_equal(n->year, 2008);
	assert_int_equal(n->tvdb_id, 349232);
}

static void test_text_forms(void **state)
{
	(void)state;
	const struct nfo *n =
	    ok("<movie>\n<title>Tom &amp; Jerry &lt;&gt; &quot;x&quot; &apos;y&apos;</title>"
	       "<originaltitle>&#233;t&#xE9; &#x1F600;&#8364;</originaltitle>"
	       "<plot><![CDATA[<b>bold</b> & raw]]> tail<!-- hidden --> end</plot>"
	       "<sorttitle><!-- c -->  spaced  </sorttitle>"
	       "<genre a=\"&amp;&#65;\" b='x\"y'>Kids &amp; Family</genre></movie>");
	assert_string_equal(n->title, "Tom & Jerry <> \"x\" 'y'");
	assert_string_equal(n->originaltitle, "\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\xe2\x82\xac");
	assert_string_equal(n->plot, "<b>bold</b> & raw tail end");
	assert_string_equal(n->sorttitle, "spaced");
	assert_string_equal(n->genres[0], "Kids & Family");

	/* a BOM, a DOCTYPE, CRLF line ends, an empty element */
	n = ok("\xef\xbb\xbf<?xml version=\"1.0\"?>\r\n<!DOCTYPE movie>\r\n<movie>\r\n"
	       "<title>Caf\xc3\xa9</title><lockdata/><tag/></movie>\r\n");
	assert_string_equal(n->title, "Caf\xc3\xa9");
	assert_false(n->lockdata);
}

static void test_truncation(void **state)
{
	(void)state;
	static char doc[12000];
	size_t k = 0;

	/* a title of 300 two-byte characters: cut to 254 bytes, not mid-char */
	k += (size_t)snprintf(doc, sizeof(doc), "<movie><title>");
	for (int i = 0; i < 300; i++) {
		doc[k++] = '\xc3';
		doc[k++] = '\xa9';
	}
	k += (size_t)snprintf(doc + k, sizeof(doc) - k, "</title><plot>");
	for (int i = 0; i < 10000; i++)
		doc[k++] = 'p';
	k += (size_t)snprintf(doc + k, sizeof(doc) - k, "</plot>");
	for (int i = 0; i < 20; i++)
		k += (size_t)snprintf(doc + k, sizeof(doc) - k, "<genre>g%d</genre>", i);
	snprintf(doc + k, sizeof(doc) - k, "</movie>");

	const struct nfo *n = ok(doc);
	assert_int_equal(strlen(n->title), 254);
	assert_int_equal(strlen(n->plot), NFO_PLOT_MAX - 1);
	assert_int_equal(n->genre_count, NFO_GENRES_MAX);
	assert_string_equal(n->genres[15], "g15");
}

static void test_url(void **state)
{
	(void)state;
	const struct nfo *n = ok("https://www.themoviedb.org/movie/603-the-matrix\n");
	assert_int_equal(n->kind, NFO_URL);
	assert_int_equal(n->tmdb_id, 603);
	assert_string_equal(n->imdb_id, "");

	n = ok("  https://www.imdb.com/title/tt0133093/");
	assert_int_equal(n->kind, NFO_URL);
	assert_string_equal(n->imdb_id, "tt0133093");
	assert_int_equal(n->tmdb_id, 0);

	n = ok("https://thetvdb.com/?tab=series&id=81189\r\n");
	assert_int_equal(n->tvdb_id, 81189);

	/* XML followed by a URL (Kodi's combined form): absent ids are filled */
	n = ok("<movie><title>X</title><tmdbid>5</tmdbid></movie>\n"
	       "https://www.imdb.com/title/tt0133093/ https://www.themoviedb.org/movie/9\n");
	assert_int_equal(n->kind, NFO_MOVIE);
	assert_int_equal(n->tmdb_id, 5);
	assert_string_equal(n->imdb_id, "tt0133093");

	bad("just some notes", "no root element and no recognised URL at byte 0");
	bad("https://www.imdb.com/title/tt12/", "no recognised URL");
}

static void test_malformed(void **state)
{
	(void)state;
	static char deep[1024];
	size_t k = 0;

	bad("", "empty document at byte 0");
	bad(" \n\t", "empty document");
	bad("<movie><title>X</title>", "unclosed element <movie> at byte 23");
	bad("<movie><title>X</movie>", "mismatched end tag </movie> for <title> at byte 15");
	bad("<movie></movie></movie>", "end tag without start tag at byte 15");
	bad("<movie><title>X</title", "malformed end tag at byte 22");
	bad("<movie><title", "unterminated start tag at byte 13");
	bad("<movie a=b></movie>", "unquoted attribute value at byte 9");
	bad("<movie a=\"b></movie>", "'<' in attribute value at byte 12");
	bad("<movie><!-- x </movie>", "unterminated comment at byte 7");
	bad("<movie><plot><![CDATA[x</plot></movie>", "unterminated CDATA section at byte 13");
	bad("<movie>&nbsp;</movie>", "unknown entity at byte 7");
	bad("<movie>&#xD800;</movie>", "invalid code point U+D800 at byte 7");
	bad("<movie>&#0;</movie>", "invalid code point U+0000");
	bad("<movie>&#x110000;</movie>", "invalid code point U+110000");
	bad("<movie>&#12</movie>", "malformed character reference at byte 7");
	bad("<movie>&#;</movie>", "malformed character reference");
	bad("<artist></artist>", "unknown root element <artist> at byte 0");
	bad("x<movie></movie>", "no root element and no recognised URL");
	bad("<movie></movie><", "malformed tag at byte 15");
	bad("<movie>< title></movie>", "malformed tag at byte 7");
	bad("<?xml version=\"1.0\"?><!DOCTYPE movie [<!ENTITY a \"b\">]><movie/>",
	    "DOCTYPE internal subsets are not supported at byte 21");
	bad("<movie><title>\xc3\x28</title></movie>", "invalid UTF-8 at byte 14");
	bad("<movie><title>\xed\xa0\x80</title></movie>", "invalid UTF-8 at byte 14");
	bad("\xef\xbb\xbf<movie>\x01</movie>", "control byte 0x01 at byte 10");
	bad_n("<movie>\0</movie>", 16, APP_ERR_UNPROCESSABLE, "control byte 0x00 at byte 7");
	bad_n("\x7f\x45\x4c\x46\x02\x01\x01\x00\xff\xfe", 10, APP_ERR_UNPROCESSABLE,
	      "control byte 0x02 at byte 4");
	bad_n("\xff\xd8\xff\xe0\x00\x10JFIF", 10, APP_ERR_UNPROCESSABLE, "invalid UTF-8 at byte 0");

	/* 40 levels: refused at the 33rd */
	k = (size_t)snprintf(deep, sizeof(deep), "<movie>");
	for (int i = 0; i < 39; i++)
		k += (size_t)snprintf(deep + k, sizeof(deep) - k, "<b>");
	for (int i = 0; i < 39; i++)
		k += (size_t)snprintf(deep + k, sizeof(deep) - k, "</b>");
	snprintf(deep + k, sizeof(deep) - k, "</movie>");
	bad(deep, "nesting deeper than 32 at byte 100"); /* 7 + 31 * 3 */
	/* the root itself counts: <movie> + 31 levels is fine */
	k = (size_t)snprintf(deep, sizeof(deep), "<movie>");
	for (int i = 0; i < 31; i++)
		k += (size_t)snprintf(deep + k, sizeof(deep) - k, "<b>");
	for (int i = 0; i < 31; i++)
		k += (size_t)snprintf(deep + k, sizeof(deep) - k, "</b>");
	snprintf(deep + k, sizeof(deep) - k, "</movie>");
	ok(deep);
}

static void test_limits(void **state)
{
	(void)state;
	size_t big = 2u * 1024 * 1024;
	char *doc = malloc(big);
	struct nfo n;

	assert_non_null(doc);
	memset(doc, ' ', big);
	memcpy(doc, "<movie>", 7);
	memcpy(doc + big - 8, "</movie>", 8);
	bad_n(doc, big, APP_ERR_TOO_LARGE, "file larger than 1048576 bytes");
	/* exactly the limit is accepted */
	memcpy(doc + NFO_INPUT_MAX - 8, "</movie>", 8);
	assert_int_equal(nfo_parse(doc, NFO_INPUT_MAX, &n, NULL, 0), APP_OK);
	free(doc);

	assert_int_equal(nfo_parse(NULL, 3, &n, E, sizeof(E)), APP_ERR_VALIDATION);
	assert_int_equal(nfo_parse("<movie/>", 8, NULL, E, sizeof(E)), APP_ERR_VALIDATION);
	/* not NUL-terminated: only len bytes are read */
	assert_int_equal(nfo_parse("<movie/>XXXX", 8, &n, E, sizeof(E)), APP_OK);
	/* a tiny err buffer is still terminated */
	assert_int_equal(nfo_parse("<x/>", 4, &n, E, 5), APP_ERR_UNPROCESSABLE);
	assert_string_equal(E, "unkn");
	/* reasons stay valid UTF-8: a long non-ASCII name is quoted up to 40
	 * bytes on a character boundary, and a short buffer never splits one */
	static const char ee[] = "<\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                         "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9/>";
	assert_int_equal(nfo_parse(ee, strlen(ee), &n, E, sizeof(E)), APP_ERR_UNPROCESSABLE);
	assert_string_equal(E,
	                    "unknown root element <\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	                    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9> at byte 0");
	assert_int_equal(nfo_parse(ee, strlen(ee), &n, E, 24), APP_ERR_UNPROCESSABLE);
	assert_string_equal(E, "unknown root element <");
}

static void test_json(void **state)
{
	(void)state;
	struct buf b;
	struct jw w;

	buf_init(&b, 1 << 16);
	jw_init(&w, &b);
	nfo_json(ok("<episodedetails><title>A \"q\"</title><season>2</season><episode>3</episode>"
	            "<uniqueid type=\"imdb\">tt1234567</uniqueid><genre>Drama</genre>"
	            "</episodedetails>"),
	         &w);
	assert_true(buf_ok(&b));
	assert_string_equal(
	    b.data, "{\"kind\":\"episode\",\"title\":\"A \\\"q\\\"\",\"originaltitle\":null,"
	            "\"sorttitle\":null,\"year\":null,\"premiered\":null,\"plot\":null,"
	            "\"runtime\":null,\"mpaa\":null,\"tmdb_id\":null,\"imdb_id\":\"tt1234567\","
	            "\"tvdb_id\":null,\"season\":2,\"episode\":3,\"genres\":[\"Drama\"],"
	            "\"lockdata\":false}");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_movie),      cmocka_unit_test(test_movie_ids),
	    cmocka_unit_test(test_tvshow),     cmocka_unit_test(test_episode),
	    cmocka_unit_test(test_text_forms), cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_url),        cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_limits),     cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

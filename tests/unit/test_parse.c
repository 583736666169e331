/*
 * parse: hand-written file names for every feature of the filename parser
 * (movies, release facts, ids, editions, HDR, languages, episode markers,
 * multi-episode, daily dates, anime absolute numbers, specials, folders)
 * with exact expected values, the JSON shape, and bad input.
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
#include "core/text.h"
#include "library/parse.h"

static struct parsed_name P;

static const struct parsed_name *parse(const char *name)
{
	assert_int_equal(name_parse(name, &P), 0);
	return &P;
}

static void expect_movie(const char *name, const char *title, int year)
{
	const struct parsed_name *p = parse(name);
	assert_int_equal(p->type, NAME_MOVIE);
	assert_string_equal(p->title, title);
	assert_int_equal(p->year, year);
	assert_int_equal(p->episode_count, 0);
}

static void expect_episode(const char *name, const char *title, int season, int episode)
{
	const struct parsed_name *p = parse(name);
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, title);
	assert_int_equal(p->season, season);
	assert_int_equal(p->episode_count, 1);
	assert_int_equal(p->episodes[0], episode);
}

static void test_movie_release(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("The.Matrix.1999.1080p.BluRay.x264-GROUP.mkv");
	assert_int_equal(p->type, NAME_MOVIE);
	assert_string_equal(p->title, "The Matrix");
	assert_int_equal(p->year, 1999);
	assert_string_equal(p->screen_size, "1080p");
	assert_string_equal(p->source, "Blu-ray");
	assert_string_equal(p->video_codec, "H.264");
	assert_null(p->audio_codec);
	assert_string_equal(p->release_group, "GROUP");
	assert_int_equal(p->season, -1);

	p = parse("Movie.2019.2160p.WEB-DL.DDP5.1.Atmos.HDR.HEVC-GRP.mkv");
	assert_string_equal(p->title, "Movie");
	assert_string_equal(p->screen_size, "2160p");
	assert_string_equal(p->source, "Web");
	assert_string_equal(p->video_codec, "H.265");
	assert_string_equal(p->audio_codec, "Dolby Digital Plus");
	assert_string_equal(p->hdr, "HDR10");
	assert_string_equal(p->release_group, "GRP");

	p = parse("Fear.and.Loathing.in.Las.Vegas.1998.720p.HDDVD.DTS.x264-ESiR.mkv");
	assert_string_equal(p->title, "Fear and Loathing in Las Vegas");
	assert_string_equal(p->source, "HD-DVD");
	assert_string_equal(p->audio_codec, "DTS");

	p = parse("Some Movie 2005 DVDRip XviD AC3-GRP.avi");
	assert_string_equal(p->title, "Some Movie");
	assert_string_equal(p->source, "DVD");
	assert_string_equal(p->video_codec, "Xvid");
	assert_string_equal(p->audio_codec, "Dolby Digital");
}

static void test_movie_years(void **state)
{
	(void)state;
	expect_movie("2001.A.Space.Odyssey.1968.mkv", "2001 A Space Odyssey", 1968);
	expect_movie("Blade.Runner.2049.2017.1080p.mkv", "Blade Runner 2049", 2017);
	expect_movie("Hercules (2014) 1080p BrRip H264 - YIFY", "Hercules", 2014);
	expect_movie("Movie Without Year.mkv", "Movie Without Year", 0);
	/* a word that is also a source, inside the title */
	expect_movie("The.Girl.in.the.Spiders.Web.2019.1080p.WEB-DL.x264.mkv",
		     "The Girl in the Spiders Web", 2019);
	expect_movie("The_Italian_Job.mkv", "The Italian Job", 0);
}

static void test_movie_folders(void **state)
{
	(void)state;
	expect_movie("Movies/The Matrix (1999)/The Matrix (1999).mkv", "The Matrix", 1999);
	/* the folder gives the year and the spelling */
	expect_movie("Movies/Dark City (1998)/dark.city.720p.mkv", "Dark City", 1998);
	/* an abbreviated scene file name inside its release folder */
	expect_movie("Movies/Somewhere.2010.DVDRip.XviD-iLG/i-smwhr.avi", "Somewhere", 2010);
	/* a bare file in a Title (Year) folder */
	expect_movie("Movies/Title (2010)/movie.mkv", "Title", 2010);
}

static void test_ids(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("The Matrix (1999) {tmdb-603}.mkv");
	assert_string_equal(p->title, "The Matrix");
	assert_int_equal(p->year, 1999);
	assert_int_equal(p->tmdb_id, 603);
	assert_string_equal(p->imdb_id, "");

	p = parse("The Matrix (1999) [imdbid-tt0133093].mkv");
	assert_string_equal(p->title, "The Matrix");
	assert_string_equal(p->imdb_id, "tt0133093");
	assert_int_equal(p->tmdb_id, 0);

	p = parse("Movies/The Matrix (1999) [tmdbid-603]/The Matrix (1999) [tmdbid-603].mkv");
	assert_string_equal(p->title, "The Matrix");
	assert_int_equal(p->tmdb_id, 603);

	/* ids on the folder only (Jellyfin/Plex layouts) */
	p = parse("Movies/The Matrix (1999) {imdb-tt0133093}/The Matrix (1999).mkv");
	assert_string_equal(p->title, "The Matrix");
	assert_int_equal(p->year, 1999);
	assert_string_equal(p->imdb_id, "tt0133093");
	p = parse("TV/Show Name (2010) [tmdbid-1399]/Season 01/Show Name S01E02.mkv");
	assert_string_equal(p->title, "Show Name");
	assert_int_equal(p->tmdb_id, 1399);
	assert_int_equal(p->season, 1);
	assert_int_equal(p->episodes[0], 2);
}

static void test_editions_hdr_languages(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("Blade.Runner.1982.Directors.Cut.1080p.BluRay.x264-GRP.mkv");
	assert_string_equal(p->title, "Blade Runner");
	assert_string_equal(p->edition, "Director's Cut");

	p = parse("Aliens.1986.Extended.Edition.2160p.UHD.BluRay.HDR10.DV.x265-GRP.mkv");
	assert_string_equal(p->title, "Aliens");
	assert_string_equal(p->edition, "Extended");
	assert_string_equal(p->source, "Ultra HD Blu-ray");
	assert_string_equal(p->hdr, "HDR10");

	p = parse("Movie.2020.DoVi.2160p.WEB-DL.mkv");
	assert_string_equal(p->hdr, "Dolby Vision");

	p = parse("Amelie.2001.FRENCH.1080p.BluRay.DTS.x264-GRP.mkv");
	assert_string_equal(p->title, "Amelie");
	assert_int_equal(p->language_count, 1);
	assert_string_equal(p->languages[0], "French");

	p = parse("Movie.2001.MULTi.GERMAN.720p.mkv");
	assert_int_equal(p->language_count, 2);
	assert_string_equal(p->languages[0], "Multiple");
	assert_string_equal(p->languages[1], "German");
}

static void test_episode_markers(void **state)
{
	(void)state;
	const struct parsed_name *p;

	expect_episode("Show.Name.S01E02.720p.HDTV.x264-LOL.mkv", "Show Name", 1, 2);
	expect_episode("show.name.s1e13.mkv", "show name", 1, 13);
	expect_episode("Show.1x02.Pilot.avi", "Show", 1, 2);
	assert_string_equal(P.episode_title, "Pilot");
	expect_episode("Show Season 1 Episode 2.mkv", "Show", 1, 2);
	expect_episode("The Office - S06xE01.avi", "The Office", 6, 1);
	expect_episode("Show.S01.E05.mkv", "Show", 1, 5);

	p = parse("Show.Name.S02E05.Episode.Title.1080p.WEB-DL.AAC2.0.H.264-GRP.mkv");
	assert_string_equal(p->episode_title, "Episode Title");
	assert_string_equal(p->audio_codec, "AAC");
	assert_string_equal(p->video_codec, "H.264");
	assert_string_equal(p->release_group, "GRP");

	/* specials */
	expect_episode("Show.S00E01.Special.mkv", "Show", 0, 1);
}

static void test_multi_episode(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("Show.S01E02E03.720p.HDTV.x264-LOL.mkv");
	assert_int_equal(p->season, 1);
	assert_int_equal(p->episode_count, 2);
	assert_int_equal(p->episodes[0], 2);
	assert_int_equal(p->episodes[1], 3);

	p = parse("Show.S01E02-E04.mkv");
	assert_int_equal(p->episode_count, 3);
	assert_int_equal(p->episodes[2], 4);

	p = parse("Show.S03E01-02.mkv");
	assert_int_equal(p->episode_count, 2);
	assert_int_equal(p->episodes[1], 2);

	p = parse("Show.1x02x03.mkv");
	assert_int_equal(p->season, 1);
	assert_int_equal(p->episode_count, 2);
}

static void test_daily(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("The.Daily.Show.2014.03.15.720p.HDTV.x264-W4F.mkv");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "The Daily Show");
	assert_string_equal(p->date, "2014-03-15");
	assert_int_equal(p->year, 0);
	assert_int_equal(p->episode_count, 0);

	p = parse("Show - 15.03.2014 - Guest.mkv");
	assert_string_equal(p->date, "2014-03-15");
	assert_string_equal(p->title, "Show");
}

static void test_anime(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("[Group] Show - 123 [1080p].mkv");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Show");
	assert_int_equal(p->episode_count, 1);
	assert_int_equal(p->episodes[0], 123);
	assert_int_equal(p->absolute, 1);
	assert_int_equal(p->season, -1);
	assert_string_equal(p->release_group, "Group");
	assert_string_equal(p->screen_size, "1080p");

	p = parse("[SubGroup] Long Show Name 2 - 05 [720p][ABCD1234].mkv");
	assert_string_equal(p->title, "Long Show Name 2");
	assert_int_equal(p->episodes[0], 5);

	p = parse("[DeadFish] 01 - Tari Tari [BD][720p][AAC].mp4");
	assert_string_equal(p->title, "Tari Tari");
	assert_int_equal(p->episodes[0], 1);
}

static void test_episode_folders(void **state)
{
	(void)state;
	const struct parsed_name *p;

	expect_episode("Show Name/Season 2/05 - Title.mkv", "Show Name", 2, 5);
	assert_string_equal(P.episode_title, "Title");
	expect_episode("Show Name/Season 3/Show.Name.S03E04.mkv", "Show Name", 3, 4);
	expect_episode("TV/Show Name (2010)/Season 01/S01E07.mkv", "Show Name", 1, 7);
	assert_int_equal(P.year, 2010);
	expect_episode("Series/Californication/Season 2/Californication.2x05.Vaginatown.HDTV.XviD-0TV.avi",
		       "Californication", 2, 5);
	/* a hashed file name inside a release folder */
	p = parse("Zoo.S02E05.1080p.WEB-DL.DD5.1.H.264-HKD/160725_02.mkv");
	assert_string_equal(p->title, "Zoo");
	assert_int_equal(p->season, 2);
	assert_int_equal(p->episodes[0], 5);
}

/* Folder and file titles compare by their Unicode matching key
 * (core/unicode.h): case in any script, diacritics, punctuation. */
static void test_unicode_folders(void **state)
{
	(void)state;
	/* the folder's spelling wins when both name the same series */
	expect_episode("Séries/Amélie/Season 1/AMELIE S01E02.mkv", "Amélie", 1, 2);
	expect_episode("TV-Shows/Москва/Season 1/МОСКВА S01E01.mkv", "Москва", 1, 1);
	expect_episode("Shows/Ame\xcc\x81lie/Season 1/Amélie S01E03.mkv", "Ame\xcc\x81lie", 1, 3);
	/* spelled differently, generic folders are still generic */
	expect_episode("TV-Shows/Season 1/S01E07.mkv", "", 1, 7);
	expect_episode("SÉRIES/S01E07.mkv", "", 1, 7);
	/* a folder that is another title keeps the file's */
	expect_movie("Movies/Amélie Poulain/Amelie.mkv", "Amelie", 0);
}

static void expect_episodes(const char *name, const char *title, int season, int from, int to,
			    int absolute)
{
	const struct parsed_name *p = parse(name);
	assert_int_equal(p->type, NAME_EPISODE);
	if (title)
		assert_string_equal(p->title, title);
	assert_int_equal(p->season, season);
	assert_int_equal(p->episode_count, to - from + 1);
	for (int k = 0; k < p->episode_count; k++)
		assert_int_equal(p->episodes[k], from + k);
	assert_int_equal(p->absolute, absolute);
}

/* Fansub layouts: bracketed groups, titles and numbers, CJK brackets and
 * "Title/Alt Title" brackets. */
static void test_fansub_layouts(void **state)
{
	(void)state;
	expect_episodes("[異域字幕組][漆黑的子彈][Black Bullet][11][1280x720][繁体].mp4", "Black Bullet",
			-1, 11, 11, 1);
	expect_episodes("[GM-Team][国漫][西行纪之集结篇][The Westward Ⅱ][2019][17][AVC][GB][1080P]",
			"The Westward Ⅱ", -1, 17, 17, 1);
	assert_int_equal(P.year, 2019);
	expect_episodes("【喵萌奶茶屋】★01月新番★[Rebirth][01][720p][简体][招募翻译]", "Rebirth", -1, 1, 1, 1);
	expect_episodes("【喵萌奶茶屋】★01月新番★[別對映像研出手！/映像研には手を出すな！/Eizouken ni wa Te "
			"wo Dasu na!][01][1080p][繁體]",
			"Eizouken ni wa Te wo Dasu na!", -1, 1, 1, 1);
	expect_episodes("【MMZYSUB】★【Golden Time】[24（END）][GB][720P_MP4]", "Golden Time", -1, 24, 24, 1);
	expect_episodes("[SubsPlease] Fairy Tail - 100 Years Quest - 05 (1080p) [1107F3A9].mkv",
			"Fairy Tail - 100 Years Quest", -1, 5, 5, 1);
	expect_episodes("[Erai-raws] Kingdom 3rd Season - 02 [1080p].mkv", "Kingdom", 3, 2, 2, 0);
	expect_episodes("[Erai-raws] Carole and Tuesday - 01 ~ 12 [1080p][Multiple Subtitle]",
			"Carole and Tuesday", -1, 1, 12, 1);
	/* a group that looks like 0x539 is not special 539 */
	expect_episodes("[0x539] Somali and the Forest Spirit - S01E01 (WEB 1080p Hi10P AAC).mkv",
			"Somali and the Forest Spirit", 1, 1, 1, 0);
	/* '/' with spaces is text, not a folder */
	expect_episodes("Черное зеркало / Black Mirror / Сезон 4 / Серии 1-6 (6) [2017, WEBRip 1080p]",
			"Black Mirror", 4, 1, 6, 0);
}

/* Bare absolute numbers and ranges. */
static void test_absolute_ranges(void **state)
{
	(void)state;
	expect_episodes("[Group] Show - 101-112 [720p].mkv", "Show", -1, 101, 112, 1);
	expect_episodes("[HorribleSubs] Tsukimonogatari - (01-04) [1080p].mkv", "Tsukimonogatari", -1, 1,
			4, 1);
	expect_episodes("[Erai-raws] Detective Conan - 1000 [1080p HEVC].mkv", "Detective Conan", -1, 1000,
			1000, 1);
	expect_episodes("Show.3x04_05.HDTV.mkv", "Show", 3, 4, 5, 0);
	const struct parsed_name *p = parse("Show.E4E6.mkv");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_int_equal(p->episode_count, 2);
	assert_int_equal(p->episodes[0], 4);
	assert_int_equal(p->episodes[1], 6);
	expect_episodes("Pokemon Black & White E10 - E17 [CW] AVI", "Pokemon Black & White", -1, 10, 17, 0);
	expect_episodes("SupNat-11_06.avi", "SupNat", 11, 6, 6, 0);
	expect_episodes("My Little Pony FiM - 6.01 - No Second Prances.mkv", "My Little Pony FiM", 6, 1, 1, 0);
	expect_episodes("Dragon Ball [5.134] Preliminary Peril.mp4", "Dragon Ball", 5, 134, 134, 0);
	expect_episodes("Desperate Housewives - Episode 1.22 - Goodbye for now.avi", "Desperate Housewives",
			1, 22, 22, 0);
	/* "5.1" channels and "1.11" in a title stay what they are */
	expect_movie("Evangelion_1.11_You_Are_(Not)_Alone_(2009)_[1080p,BluRay,x264,DTS-ES]_-_THORA.mkv",
		     "Evangelion 1 11 You Are", 2009);
	expect_episodes("Show.S01E02.DD5.1.mkv", "Show", 1, 2, 2, 0);
}

/* Season and episode words in other languages. */
static void test_foreign_words(void **state)
{
	(void)state;
	expect_episodes("The.White.Lotus.2.Sezon.7.Bölüm.2021.1080p.BLUTV.WEB-DL.AAC2.0.H.264-TURG.mkv",
			"The White Lotus", 2, 7, 7, 0);
	expect_episodes("Show.Saison.3.Episode.4.FRENCH.mkv", "Show", 3, 4, 4, 0);
	expect_episodes("Show.Staffel.2.Folge.5.GERMAN.mkv", "Show", 2, 5, 5, 0);
	expect_episodes("Show - Temporada 4 [HDTV][Cap.408][Spanish].mkv", "Show", 4, 8, 8, 0);
	expect_episodes("Show.Stagione.1.Episodio.3.ITA.mkv", "Show", 1, 3, 3, 0);
	expect_episodes("13 Geboden Se.1 afl.2-3-4 [VTM]", "13 Geboden", 1, 2, 4, 0);
	expect_episodes("Show.Seizoen.2.Aflevering.6.mkv", "Show", 2, 6, 6, 0);
	expect_episodes("2 сезон 24 серия.avi", NULL, 2, 24, 24, 0);
	expect_episodes("Интерны. Сезон №9. Серия №180.avi", "Интерны", 9, 180, 180, 0);
	expect_episodes("Otchayannie.domochozyaiki.(8.sez.21.ser.iz.23).2012.XviD.HDTVRip.avi",
			"Otchayannie domochozyaiki", 8, 21, 21, 0);
	expect_episodes("My Little Pony - A Amizade é Mágica - T02E22.mp4", NULL, 2, 22, 22, 0);
	expect_episodes("30 M0N3D4S ESP T01XE08.mkv", "30 M0N3D4S", 1, 8, 8, 0);
	/* number-first season words: packs */
	const struct parsed_name *p = parse("Teen Wolf - 04ª Temporada 720p");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Teen Wolf");
	assert_int_equal(p->season, 4);
	assert_int_equal(p->episode_count, 0);
	p = parse("Adventure Time 10 th season");
	assert_int_equal(p->season, 10);
	assert_string_equal(p->title, "Adventure Time");
	/* "Show 2 Season 3": the number after the word wins */
	p = parse("Show 2 Season 3 720p");
	assert_int_equal(p->season, 3);
}

/* Website and request prefixes and suffixes. */
static void test_site_prefixes(void **state)
{
	(void)state;
	expect_episodes("[www.site.net] - Show.S01E02.720p.HDTV.x264-GRP.mkv", "Show", 1, 2, 2, 0);
	expect_episodes("www.Torrenting.com - Show.S03E14.720p.HDTV.X264-DIMENSION", "Show", 3, 14, 14, 0);
	expect_episodes("www.Tamilblasters.party - The Wheel of Time (2021) Season 01 EP(01-08) [720p HQ "
			"HDRip - x264 - ESubs]",
			"The Wheel of Time", 1, 1, 8, 0);
	assert_int_equal(P.year, 2021);
	expect_episodes("[BEST-TORRENTS.COM] The.Penguin.S01E07.MULTi.1080p.AMZN.WEB-DL.H264-K83",
			"The Penguin", 1, 7, 7, 0);
	expect_episodes("Anatomia De Grey - Temporada 19 [HDTV][Cap.1905][Castellano][www.AtomoHD.nu].avi",
			"Anatomia De Grey", 19, 5, 5, 0);
}

/* Leading YYMMDD dates and air dates in several orders. */
static void test_air_dates(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("180506 Running Man E399 720p.mp4");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->date, "2018-05-06");
	assert_string_equal(p->title, "Running Man");
	p = parse("[Group] 240412 Show Name.mkv");
	assert_string_equal(p->date, "2024-04-12");
	p = parse("WWE Monday Night Raw 3rd Nov 2014 HDTV x264-Sir Paul");
	assert_string_equal(p->date, "2014-11-03");
	assert_string_equal(p->title, "WWE Monday Night Raw");
	p = parse("Show.Nov.3.2014.HDTV.mkv");
	assert_string_equal(p->date, "2014-11-03");
	p = parse("Stephen Colbert 2019 10 25 Eddie Murphy 480p x264-mSD [eztv]");
	assert_string_equal(p->date, "2019-10-25");
	assert_string_equal(p->title, "Stephen Colbert");
	p = parse("Show.25.10.2019.mkv");
	assert_string_equal(p->date, "2019-10-25");
	p = parse("Show.10.25.2019.mkv");
	assert_string_equal(p->date, "2019-10-25");
	/* six digits later in a name are not a date */
	p = parse("Show 123456 Title.mkv");
	assert_string_equal(p->date, "");
	/* an impossible date is not one */
	p = parse("181345 Show.mkv");
	assert_string_equal(p->date, "");
}

/* Numbers that belong to the title. */
static void test_title_numbers(void **state)
{
	(void)state;
	expect_episode("1923 S02E01 1080p WEB H264-SuccessfulCrab", "1923", 2, 1);
	assert_int_equal(P.year, 0);
	expect_episode("9-1-1.Lone.Star.S02E03.720p.WEB.H264-CAKES", "9-1-1 Lone Star", 2, 3);
	expect_episode("9-1-1.S05E01.720p.HDTV.x264-SYNCOPY", "9-1-1", 5, 1);
	expect_episode("The.100.S03E05.720p.HDTV.x264-KILLERS.mkv", "The 100", 3, 5);
	expect_episode("Catch-22.S01E01.720p.WEB.mkv", "Catch-22", 1, 1);
	expect_episode("Mob Psycho 100 - 09 [1080p].mkv", "Mob Psycho 100", -1, 9);
}

/* Season packs: a season and no episode is still an episode-type name. */
static void test_season_packs(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("Show.S02.1080p.BluRay.x264-GRP");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Show");
	assert_int_equal(p->season, 2);
	assert_int_equal(p->episode_count, 0);
	p = parse("House MD Season 7 Complete MKV");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_int_equal(p->season, 7);
	p = parse("Ace of the Diamond: 2nd Season");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Ace of the Diamond");
	assert_int_equal(p->season, 2);
	p = parse("Breaking Bad S02 03.mkv");
	assert_int_equal(p->season, 2);
	assert_int_equal(p->episode_count, 1);
	assert_int_equal(p->episodes[0], 3);
}

/* Anime specials: season 0 with the number as the episode (Sonarr and
 * Jellyfin file them so); "OVA - 01" keeps OVA in the title. */
static void test_specials(void **state)
{
	(void)state;
	const struct parsed_name *p;

	expect_episode("[FFF] Seirei Tsukai no Blade Dance - SP01 [BD][720p-AAC][F1FF8588].mkv",
		       "Seirei Tsukai no Blade Dance", 0, 1);
	assert_int_equal(P.absolute, 0);
	assert_null(P.extra);
	assert_string_equal(P.release_group, "FFF");
	expect_episode("[Group] Show - SP 2 [720p].mkv", "Show", 0, 2);
	expect_episode("[Group] Show - Special 3 [1080p].mkv", "Show", 0, 3);
	expect_episode("Queen's Blade Utsukushiki Toushi-tachi - OVA_01 (BD 1280x720 AVC AAC).mp4",
		       "Queen's Blade Utsukushiki Toushi-tachi", 0, 1);
	expect_episode("[Group] Show OVA 2 [720p].mkv", "Show", 0, 2);
	expect_episode("[Group] Show OAD1 [720p].mkv", "Show", 0, 1);
	expect_episode("[UTW]_Accel_World_-_EX01_[BD][h264-720p_AAC][3E56EE18].mkv", "Accel World", 0, 1);
	expect_episode("Show/Specials/Show - 01.mkv", "Show", 0, 1);
	/* a dash before the number: OVA names the show */
	expect_episode("[Seto_Otaku]_AIKa_ZERO_OVA_-_01_[BD][1920x1080_H264-Flac][6730D40A].mkv",
		       "AIKa ZERO OVA", -1, 1);
	assert_int_equal(P.absolute, 1);
	/* titles that start with or hold the words */
	expect_movie("Special 26 (2013).mkv", "Special 26", 2013);
	expect_movie("Special.Correspondents.2016.iTA.ENG.4K.2160p.NetflixUHD.mp4",
		     "Special Correspondents", 2016);
	p = parse("[CMS] Magical Star Kanon 100% OVA[DVD][E9F43685].mkv");
	assert_int_equal(p->season, -1);
	assert_string_equal(p->title, "Magical Star Kanon 100% OVA");
}

/* Openings and endings are extras: never episode numbers. */
static void test_extras(void **state)
{
	(void)state;
	const struct parsed_name *p = parse("[Coalgirls]_Toradora_ED2_(704x480_DVD_AAC)_[3B65D1E6].mkv");

	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Toradora");
	assert_string_equal(p->extra, "ending");
	assert_int_equal(p->episode_count, 0);
	assert_int_equal(p->season, -1);
	assert_int_equal(p->absolute, 0);
	p = parse("[Coalgirls]_Bakemonogatari_OP4a_(1280x720_Blu-Ray_FLAC)_[327A2375].mkv");
	assert_string_equal(p->title, "Bakemonogatari");
	assert_string_equal(p->extra, "opening");
	assert_int_equal(p->episode_count, 0);
	p = parse("[Group] Show - NCOP [1080p].mkv");
	assert_string_equal(p->extra, "opening");
	assert_string_equal(p->title, "Show");
	p = parse("[Group] Show - NCED 2 [1080p].mkv");
	assert_string_equal(p->extra, "ending");
	assert_int_equal(p->episode_count, 0);
	p = parse("[Group] Show - ED 1 [1080p].mkv");
	assert_string_equal(p->extra, "ending");
	assert_int_equal(p->episode_count, 0);
	p = parse("[Group] Show S2 - NCOP.mkv");
	assert_string_equal(p->extra, "opening");
	assert_int_equal(p->season, 2);
	/* the ending's number is not the folder's episode either */
	p = parse("Show.S01E05.720p.HDTV-GRP/Show - NCED1.mkv");
	assert_string_equal(p->extra, "ending");
	assert_int_equal(p->episode_count, 0);
	/* "Ed" the name, "-ED" the group */
	expect_episode("Ed S01E01.mkv", "Ed", 1, 1);
	assert_null(P.extra);
	expect_movie("Movie.2010.720p.x264-ED.mkv", "Movie", 2010);
	assert_null(P.extra);
	assert_string_equal(P.release_group, "ED");
}

/* "07.5" is a special between two episodes: season 0, no number of its
 * own (the providers number it their way); "01b" is part of episode 1. */
static void test_fractional_lettered(void **state)
{
	(void)state;
	const struct parsed_name *p;

	p = parse("[Zurako] Sora no Woto - 07.5 - Drinking Party - Fortress Battle (BD 1080p AAC) "
		  "[F7DF16F7].mkv");
	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Sora no Woto");
	assert_int_equal(p->season, 0);
	assert_int_equal(p->episode_count, 0);
	assert_int_equal(p->absolute, 0);
	assert_string_equal(p->episode_title, "Drinking Party - Fortress Battle");
	p = parse("[Elysium]Sora.no.Woto.EP07.5(BD.720p.AAC)[C37580F8].mkv");
	assert_string_equal(p->title, "Sora no Woto");
	assert_int_equal(p->season, 0);
	assert_int_equal(p->episode_count, 0);
	p = parse("[Coalgirls]_Fate_Zero_OVA3.5_(1280x720_Blu-ray_FLAC)_[5F5AD026].mkv");
	assert_string_equal(p->title, "Fate Zero");
	assert_int_equal(p->season, 0);
	assert_int_equal(p->episode_count, 0);
	p = parse("[EroGaKi-Team]_Nurse_Witch_Komugi-chan_Magikarte_02.5_[902BB314].mkv");
	assert_string_equal(p->title, "Nurse Witch Komugi-chan Magikarte");
	assert_int_equal(p->season, 0);
	assert_int_equal(p->episode_count, 0);
	p = parse("Show Episode 7.5 - Recap.mkv");
	assert_int_equal(p->season, 0);
	assert_int_equal(p->episode_count, 0);
	assert_string_equal(p->episode_title, "Recap");
	/* a folder's episode is not lent to the special */
	p = parse("Show.S01E05.720p.HDTV-GRP/Show - 07.5.mkv");
	assert_int_equal(p->season, 0);
	assert_int_equal(p->episode_count, 0);
	/* not fractions: channels, one digit, dotted season.episode, titles */
	p = parse("Show - 5.1 [720p]");
	assert_int_equal(p->season, -1);
	expect_episode("Show.S01E01.DD5.1.mkv", "Show", 1, 1);
	expect_episode("Show - 6.01 - Title.mkv", "Show", 6, 1);
	p = parse("Evangelion_1.11_You_Are_(Not)_Alone_(2009)_[1080p,BluRay,x264,DTS-ES]_-_THORA.mkv");
	assert_int_equal(p->season, -1);
	assert_int_equal(p->episode_count, 0);
	/* lettered parts */
	expect_episode("[Shinsen-Subs]_Macross_Frontier_-_01b_[4D5EC315].avi", "Macross Frontier", -1, 1);
	assert_int_equal(P.absolute, 1);
	expect_episode("[HorribleSubs] Gintama - 111C [1080p].mkv", "Gintama", -1, 111);
	expect_episode("[NamaeNai] Hidamari Sketch x365 - 09a (DVD) [49874745].mkv", "Hidamari Sketch x365",
		       -1, 9);
	p = parse("[Group] Show - 3D [1080p].mkv");
	assert_int_equal(p->episode_count, 0);
}

/* Ranges longer than NAME_EPISODES_MAX: the array holds the first 16, and
 * episode_total and episode_last the whole run. */
static void expect_run(const char *name, int season, int first, int last)
{
	const struct parsed_name *p = parse(name);
	int total = last - first + 1;

	assert_int_equal(p->type, NAME_EPISODE);
	assert_string_equal(p->title, "Show");
	assert_int_equal(p->season, season);
	assert_int_equal(p->episode_total, total);
	assert_int_equal(p->episode_last, last);
	assert_int_equal(p->episode_count, total < NAME_EPISODES_MAX ? total : NAME_EPISODES_MAX);
	for (int k = 0; k < p->episode_count; k++)
		assert_int_equal(p->episodes[k], first + k);
}

static void test_long_ranges(void **state)
{
	(void)state;
	struct parsed_name p;
	struct buf b;
	struct jw w;

	expect_run("[Group] Show - 01-26 [BD 1080p].mkv", -1, 1, 26);
	assert_int_equal(P.absolute, 1);
	expect_run("[Group] Show - 101-124 [720p]", -1, 101, 124);
	expect_run("[Group] Show (01-26) [BD 1080p]", -1, 1, 26);
	expect_run("[Group] Show - 01 ~ 26 [720p]", -1, 1, 26);
	expect_run("Show S01E01-E26.mkv", 1, 1, 26);
	expect_run("Show S01E01-26.mkv", 1, 1, 26);
	expect_run("Show Ep 1-30.mkv", -1, 1, 30);
	/* short runs as before: all stored, total and last agree */
	expect_run("[Group] Show - 13-16 [720p].mkv", -1, 13, 16);
	expect_episode("Show.S02E05.mkv", "Show", 2, 5);
	assert_int_equal(P.episode_total, 1);
	assert_int_equal(P.episode_last, 5);
	/* a spaced dash before a long span names the episode */
	expect_episode("Show - 05 - 300 Spartans.mkv", "Show", -1, 5);
	assert_int_equal(P.episode_total, 1);
	assert_string_equal(P.episode_title, "300 Spartans");
	/* past 999 it is no range */
	expect_episode("[Group] Show - 1-99999 [720p].mkv", "Show", -1, 1);
	assert_int_equal(P.episode_total, 1);
	expect_episode("Show.S01E01-E99999.mkv", "Show", 1, 1);
	assert_int_equal(P.episode_total, 1);
	/* an extra carries none */
	parse("[Group] Show - NCED 2 [1080p].mkv");
	assert_int_equal(P.episode_total, 0);
	assert_int_equal(P.episode_last, 0);

	/* the JSON lists the whole run */
	buf_init(&b, 4096);
	jw_init(&w, &b);
	name_parse("[Group] Show - 101-124 [720p]", &p);
	name_parse_json(&p, &w);
	assert_true(buf_ok(&b));
	assert_non_null(strstr(b.data, "\"episode\":[101,102,103,104,105,106,107,108,109,110,111,112,"
				       "113,114,115,116,117,118,119,120,121,122,123,124],"));
	buf_release(&b);
}

/* Malformed inputs the new rules read: they stay bounded. */
static void test_malformed_numbers(void **state)
{
	(void)state;
	struct parsed_name p;
	char name[600];

	/* a reversed or huge range adds nothing past the first number */
	assert_int_equal(name_parse("[Group] Show - 12-01 [720p].mkv", &p), 0);
	assert_int_equal(p.episode_count, 1);
	assert_int_equal(name_parse("[Group] Show - 1-99999 [720p].mkv", &p), 0);
	assert_true(p.episode_count <= NAME_EPISODES_MAX);
	assert_int_equal(name_parse("Show.S01E01-E99999.mkv", &p), 0);
	assert_true(p.episode_count <= NAME_EPISODES_MAX);
	assert_int_equal(name_parse("Show 99999999999999999999 Sezon 99999999999 Bölüm.mkv", &p), 0);
	assert_true(p.season < 100000);
	/* brackets nested past any depth, CJK brackets unbalanced */
	memset(name, '[', 300);
	memset(name + 300, ']', 280);
	memcpy(name + 580, "\xe3\x80\x90x\xe3\x80\x91\xe3\x80\x91\xe3\x80\x91.mkv", 17);
	name[597] = '\0';
	assert_int_equal(name_parse(name, &p), 0);
	assert_int_equal(name_parse("【【【【Show - 01", &p), 0);
	assert_int_equal(name_parse("】】Show - 01 [\xe3\x80", &p), 0);
	assert_true(utf8_valid(p.title, strlen(p.title)));
	assert_int_equal(name_parse("Show \xe3\x80\x90\xff\xfe - 01.mkv", &p), 0);
	assert_true(utf8_valid(p.title, strlen(p.title)));
}

static void test_bad_input(void **state)
{
	(void)state;
	struct parsed_name p;
	char *big = malloc(NAME_INPUT_MAX + 2);

	assert_int_equal(name_parse(NULL, &p), -1);
	assert_int_equal(p.type, NAME_MOVIE);
	assert_int_equal(name_parse("", &p), -1);
	assert_string_equal(p.title, "");

	assert_int_equal(name_parse("...---___   [](){}", &p), 0);
	assert_string_equal(p.title, "");
	assert_int_equal(p.episode_count, 0);
	assert_int_equal(name_parse("////", &p), 0);
	assert_string_equal(p.title, "");

	/* invalid UTF-8 becomes '?', the result stays valid UTF-8 */
	assert_int_equal(name_parse("Caf\xc3.\xff\xfe.Movie.2010.mkv", &p), 0);
	assert_true(utf8_valid(p.title, strlen(p.title)));
	assert_string_equal(p.title, "Caf? ?? Movie");
	assert_int_equal(p.year, 2010);

	/* 4000-byte names parse; fields are cut on a character boundary */
	assert_non_null(big);
	for (size_t i = 0; i < 4000; i++)
		big[i] = i % 3 == 2 ? '.' : (i % 3 ? "\xc3\xa9"[1] : "\xc3\xa9"[0]);
	big[4000] = '\0';
	assert_int_equal(name_parse(big, &p), 0);
	assert_true(strlen(p.title) < NAME_TITLE_MAX);
	assert_true(utf8_valid(p.title, strlen(p.title)));

	memset(big, 'a', NAME_INPUT_MAX + 1);
	big[NAME_INPUT_MAX + 1] = '\0';
	assert_int_equal(name_parse(big, &p), -1);
	memset(big, '1', 4000);
	big[4000] = '\0';
	assert_int_equal(name_parse(big, &p), 0);
	free(big);
}

static void test_json(void **state)
{
	(void)state;
	struct parsed_name p;
	struct buf b;
	struct jw w;

	buf_init(&b, 4096);
	jw_init(&w, &b);
	name_parse("Show.S01E02E03.720p.HDTV.x264-LOL.mkv", &p);
	name_parse_json(&p, &w);
	assert_true(buf_ok(&b));
	assert_string_equal(b.data,
			    "{\"type\":\"episode\",\"title\":\"Show\",\"year\":null,\"season\":1,"
			    "\"episode\":[2,3],\"episode_title\":null,\"date\":null,"
			    "\"screen_size\":\"720p\",\"source\":\"HDTV\",\"video_codec\":\"H.264\","
			    "\"audio_codec\":null,\"release_group\":\"LOL\",\"edition\":null,"
			    "\"tmdb_id\":null,\"imdb_id\":null}");
	buf_reset(&b);
	jw_init(&w, &b);
	name_parse("The Matrix (1999) {tmdb-603}.mkv", &p);
	name_parse_json(&p, &w);
	assert_string_equal(b.data,
			    "{\"type\":\"movie\",\"title\":\"The Matrix\",\"year\":1999,\"season\":null,"
			    "\"episode\":null,\"episode_title\":null,\"date\":null,"
			    "\"screen_size\":null,\"source\":null,\"video_codec\":null,"
			    "\"audio_codec\":null,\"release_group\":null,\"edition\":null,"
			    "\"tmdb_id\":603,\"imdb_id\":null}");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_movie_release),
		cmocka_unit_test(test_movie_years),
		cmocka_unit_test(test_movie_folders),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_editions_hdr_languages),
		cmocka_unit_test(test_episode_markers),
		cmocka_unit_test(test_multi_episode),
		cmocka_unit_test(test_daily),
		cmocka_unit_test(test_anime),
		cmocka_unit_test(test_episode_folders),
		cmocka_unit_test(test_unicode_folders),
		cmocka_unit_test(test_fansub_layouts),
		cmocka_unit_test(test_absolute_ranges),
		cmocka_unit_test(test_foreign_words),
		cmocka_unit_test(test_site_prefixes),
		cmocka_unit_test(test_air_dates),
		cmocka_unit_test(test_title_numbers),
		cmocka_unit_test(test_season_packs),
		cmocka_unit_test(test_specials),
		cmocka_unit_test(test_extras),
		cmocka_unit_test(test_fractional_lettered),
		cmocka_unit_test(test_long_ranges),
		cmocka_unit_test(test_malformed_numbers),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

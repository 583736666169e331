/*
 * parse: guess what a media file is from its name (SPEC 7.2).
 *
 * Input is a file name or a relative path ("Show/Season 2/Show.S02E03.mkv",
 * "Movies/The Matrix (1999)/The Matrix (1999).mkv"); folders help when the
 * file name alone is a bare episode or release name. The parser is pure C,
 * table driven, allocation free and deterministic: it tokenizes each path
 * segment on separators (. _ space - brackets), classifies the tokens it
 * knows (resolutions, sources, codecs, HDR, editions, languages, episode
 * markers, years, dates, ids), and takes the title from the span before the
 * first recognised token.
 *
 * Values follow the vocabulary of guessit's fixtures where one exists:
 * screen_size "720p"/"1080p"/"2160p", source "Blu-ray"/"Web"/"HDTV"/"DVD"/
 * "HD-DVD", video_codec "H.264"/"H.265"/"Xvid"/"DivX", audio_codec "DTS"/
 * "Dolby Digital"/"AAC"/"Dolby Atmos"...
 */
#ifndef REVENGE_LIBRARY_PARSE_H
#define REVENGE_LIBRARY_PARSE_H

#include <stdint.h>

#include "core/json.h"

/* Inputs longer than this are refused (a path is at most PATH_MAX). */
#define NAME_INPUT_MAX 4096
#define NAME_TITLE_MAX 256  /* title, episode_title (bytes, NUL included) */
#define NAME_GROUP_MAX 96
#define NAME_EPISODES_MAX 16
#define NAME_LANGS_MAX 4

enum name_type { NAME_MOVIE = 0, NAME_EPISODE = 1 };

/*
 * The result. Everything is stored inline: char arrays are owned by the
 * struct, and the `const char *` members point at static strings of the
 * parser's vocabulary (never free them; NULL = absent). Text fields are
 * valid UTF-8 (invalid input bytes become '?'), truncated on a character
 * boundary to fit; "" = absent. Numbers: 0 / -1 as documented = absent.
 */
struct parsed_name {
	enum name_type type;
	char title[NAME_TITLE_MAX];
	int year;                       /* 0: none */
	int season;                     /* -1: none (0 is specials) */
	int episodes[NAME_EPISODES_MAX]; /* the first episode numbers, in order */
	int episode_count;              /* numbers in episodes[]: 0 none; > 1 multi-episode */
	/*
	 * Every number the name gives, also past NAME_EPISODES_MAX: a season
	 * pack "01-26" has episode_count 16 (episodes 1..16), episode_total 26
	 * and episode_last 26; "101-124" 16, 24 and 124. Past the array only
	 * the run that continues it counts, so the name gives episodes[] and
	 * then episodes[episode_count - 1] + 1 .. episode_last, and
	 * episode_total - episode_count == episode_last -
	 * episodes[episode_count - 1]. When all fit they are episode_count and
	 * the last stored number; 0 and 0 with no episode. A range reaching
	 * more than 999 past its start ("1-99999") is not read as one, and at
	 * most 999 numbers are counted past the array.
	 */
	int episode_total;
	int episode_last;
	int absolute;                   /* 1: episodes are absolute (anime) numbers */
	/*
	 * "opening" or "ending" (NCOP, NCED, OP1, ED2): a creditless opening
	 * or ending, an extra of the series rather than an episode. Such a
	 * name is an episode-type name with no episode numbers (its "2" is
	 * the ending's number); season and title say where it belongs. A
	 * scanner skips it or files it as an extra. NULL: none.
	 */
	const char *extra;
	char episode_title[NAME_TITLE_MAX];
	char date[11];                  /* "YYYY-MM-DD" of a daily show, "" none */
	const char *screen_size;
	const char *source;
	const char *video_codec;
	const char *audio_codec;
	const char *hdr;                /* "HDR10", "HDR10+", "Dolby Vision", "HLG" */
	const char *edition;
	const char *languages[NAME_LANGS_MAX];
	int language_count;
	char release_group[NAME_GROUP_MAX];
	int64_t tmdb_id;                /* 0: none */
	char imdb_id[16];               /* "tt0133093", "" none */
};

/*
 * Parse path (NUL-terminated) into *out (always fully initialised, also on
 * error). Returns 0, or -1 when path is NULL, empty or longer than
 * NAME_INPUT_MAX bytes (out is then an empty movie). Names made only of
 * separators parse successfully to an empty title. Both '/' and '\\'
 * separate folders; only the file name and the nearest four folders are
 * read. Thread-safe (scratch space is thread-local); no allocation.
 */
int name_parse(const char *path, struct parsed_name *out);

/*
 * Write p as one JSON object with exactly the keys type, title, year,
 * season, episode (a number, an array of all episode_total numbers for
 * multi-episode files, or null), episode_title, date, screen_size, source,
 * video_codec, audio_codec, release_group, edition, tmdb_id, imdb_id; absent
 * values are null. hdr, languages, absolute and extra are parsed but not
 * part of this shape (an extra shows as an episode with a null episode).
 * Errors land in the writer's buffer (check buf_ok()).
 */
void name_parse_json(const struct parsed_name *p, struct jw *w);

#endif

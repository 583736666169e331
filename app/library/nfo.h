/*
 * nfo: read Kodi/Jellyfin-style sidecar .nfo files (SPEC 3.2, 7.3).
 *
 * An NFO is either a small XML document whose root is <movie>, <tvshow> or
 * <episodedetails>, or (Kodi's "URL NFO") plain text holding a provider URL
 * such as https://www.themoviedb.org/movie/603-the-matrix or
 * https://www.imdb.com/title/tt0133093/. nfo_parse() reads either into a
 * fixed-size struct: no allocation, no XML library, never reads past len.
 *
 * The XML reader is deliberately small and strict about structure but
 * tolerant about vocabulary: it understands elements, attributes (single or
 * double quotes), text, the five predefined entities and numeric character
 * references, CDATA, comments, processing instructions (the XML
 * declaration), a DOCTYPE without internal subset and a UTF-8 BOM. Unknown
 * elements are skipped; only the direct children of the root are read as
 * fields. Design note: docs/internals/nfo.md.
 */
#ifndef REVENGE_LIBRARY_NFO_H
#define REVENGE_LIBRARY_NFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/json.h"

#define NFO_INPUT_MAX (1024 * 1024) /* larger files are refused */
#define NFO_DEPTH_MAX 32            /* element nesting limit */
#define NFO_TITLE_MAX 256           /* title fields, bytes incl. NUL */
#define NFO_PLOT_MAX 4096
#define NFO_CERT_MAX 64
#define NFO_GENRE_MAX 64
#define NFO_GENRES_MAX 16

enum nfo_kind { NFO_MOVIE = 0, NFO_TVSHOW = 1, NFO_EPISODE = 2, NFO_URL = 3 };

/*
 * The result, all inline. Text fields are valid UTF-8, NUL-terminated,
 * trimmed of surrounding ASCII whitespace and truncated on a character
 * boundary to fit; "" = absent. Numbers: 0 (or -1 where noted) = absent.
 */
struct nfo {
	enum nfo_kind kind;
	char title[NFO_TITLE_MAX];
	char originaltitle[NFO_TITLE_MAX];
	char sorttitle[NFO_TITLE_MAX];
	int year;           /* <year>, else from premiered/aired; 0 none */
	char premiered[11]; /* "YYYY-MM-DD" from <premiered>/<aired>, "" none */
	char plot[NFO_PLOT_MAX];
	int runtime;             /* minutes; 0 none */
	char mpaa[NFO_CERT_MAX]; /* <mpaa>, else <certification> */
	int64_t tmdb_id;         /* 0 none */
	char imdb_id[16];        /* "tt" + 7..10 digits, "" none */
	int64_t tvdb_id;         /* 0 none; for an episode: the episode's id */
	int season;              /* episodedetails only; -1 none */
	int episode;             /* episodedetails only; -1 none */
	char genres[NFO_GENRES_MAX][NFO_GENRE_MAX];
	int genre_count;
	bool lockdata; /* <lockdata>true</lockdata>: do not overwrite */
};

/*
 * Parse text[0..len) (need not be NUL-terminated) into *out, which is
 * always fully initialised (an empty movie on error).
 *
 * Ids, in order of precedence: <uniqueid type="tmdb|imdb|tvdb"
 * default="true">, then other <uniqueid>s and <tmdbid>/<imdbid>/<tvdbid>,
 * then <id> ("tt..." is imdb; digits are tmdb in <movie>, tvdb in <tvshow>
 * and <episodedetails>). Malformed id values are ignored, as are malformed
 * numbers in year/runtime/season/episode. Text after the root element is
 * scanned for provider URLs filling ids still absent.
 *
 * Returns APP_OK;
 *   APP_ERR_VALIDATION    text or out NULL (with len > 0 for text);
 *   APP_ERR_TOO_LARGE     len > NFO_INPUT_MAX;
 *   APP_ERR_UNPROCESSABLE empty input, invalid UTF-8, control bytes,
 *                         malformed XML (unclosed or mismatched tags,
 *                         bad entities, invalid code points, nesting past
 *                         NFO_DEPTH_MAX), an unknown root element, or plain
 *                         text without a recognised URL.
 * On error a short reason with the byte offset is written to err (when err
 * is non-NULL and errlen > 0; always NUL-terminated). Thread-safe.
 */
enum app_err nfo_parse(const char *text, size_t len, struct nfo *out, char *err, size_t errlen);

/*
 * Write n as one JSON object with exactly the keys kind ("movie", "tvshow",
 * "episode", "url"), title, originaltitle, sorttitle, year, premiered, plot,
 * runtime, mpaa, tmdb_id, imdb_id, tvdb_id, season, episode, genres (an
 * array, possibly empty), lockdata; absent values are null. Errors land in
 * the writer's buffer (check buf_ok()).
 */
void nfo_json(const struct nfo *n, struct jw *w);

#endif

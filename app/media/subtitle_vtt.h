/*
 * subtitle_vtt: an external subtitle as WebVTT, the only format a
 * browser's <track> element reads. A pure function of its input: no I/O,
 * no global state; temporary memory is malloc'd and freed before return.
 *
 * Encodings. A UTF-8 byte order mark means UTF-8 (an ill-formed sequence
 * becomes U+FFFD); FF FE and FE FF mean UTF-16 LE and BE (an unpaired
 * surrogate or a lone last byte becomes U+FFFD). Without a mark, text that
 * is well-formed UTF-8 is UTF-8, and anything else is Windows-1252 as a
 * whole (the encoding of most old subtitles), so "Am\xe9lie" reads
 * "Amélie" while well-formed UTF-8 such as "Ã©" is left as it is. The mark
 * is never copied to the output.
 *
 * Formats, told by content (a sidecar's extension says little):
 *   WebVTT   "WEBVTT" at the start, then a space, tab, line end or the end:
 *            passed through unchanged (but decoded to UTF-8) when it holds
 *            a cue timing ("-->").
 *   ASS/SSA  a line "[Events]": the "Dialogue:" lines of that section, their
 *            columns in the order of its "Format:" line (without one, the
 *            default of both versions: Start 2nd, End 3rd, Text 10th). Text
 *            is the rest of the line, commas and all. Override blocks
 *            "{...}" go, "\N" and "\n" break the line, "\h" is a space.
 *   SRT      anything else: cues start at a timing line "H:MM:SS,mmm -->
 *            H:MM:SS,mmm" (1 to 3 hour digits, "." accepted for ",", 1 to 3
 *            fraction digits or none, anything after the second time
 *            ignored). Cue numbers go (also one that directly precedes a
 *            timing line without a blank line before it); blank lines,
 *            CR LF and CR line ends are accepted anywhere. <i> <b> <u> and
 *            their closing tags are kept (lower case), other tags (<font
 *            ...>) and "{\...}" override codes go.
 *
 * Output: "WEBVTT", a blank line, then each cue as "HH:MM:SS.mmm -->
 * HH:MM:SS.mmm", its text lines and a blank line, ordered by start time
 * (cues starting together keep their order). In cue text "&", "<" and ">"
 * are escaped (so no text line can read as a timing line), control
 * characters other than tab go, and lines left empty are dropped (an empty
 * line would end the cue). A cue without text, or whose end is not after
 * its start, is dropped.
 *
 * Limits: at most SUBTITLE_VTT_MAX_INPUT bytes of input and
 * SUBTITLE_VTT_MAX_CUES cues; the output is bounded by the cap of the
 * caller's buffer. Every loop walks the input once (a line at most a few
 * times), so malformed input costs no more than well-formed input.
 */
#ifndef REVENGE_MEDIA_SUBTITLE_VTT_H
#define REVENGE_MEDIA_SUBTITLE_VTT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"

/* The largest subtitle converted (8 MiB: a feature film's SRT is ~100 KiB,
 * a heavily styled ASS a few MiB). */
#define SUBTITLE_VTT_MAX_INPUT ((size_t)8 << 20)
/* The most cues one file may have. */
#define SUBTITLE_VTT_MAX_CUES 200000

/*
 * Convert in[0..n) (any bytes, not NUL-terminated) to WebVTT appended to
 * out. Returns
 *   APP_OK                 out holds the WebVTT text
 *   APP_ERR_TOO_LARGE      n > SUBTITLE_VTT_MAX_INPUT, more than
 *                          SUBTITLE_VTT_MAX_CUES cues, or the result does
 *                          not fit out's cap
 *   APP_ERR_UNPROCESSABLE  no cue: not a subtitle in a format above (an
 *                          empty file, a binary, a MicroDVD .sub, a WebVTT
 *                          header without cues)
 *   APP_ERR_NOMEM          a temporary allocation failed
 * On an error out may hold part of the text: the caller discards it.
 */
enum app_err subtitle_to_vtt(const char *in, size_t n, struct buf *out);

#endif

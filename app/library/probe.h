/*
 * probe: what a media file holds, read by libavformat (SPEC 3.2, 4.1).
 *
 * The scanner calls probe_file() on each new or changed file and stores the
 * result on the file row: container, duration, bitrate, the first video
 * stream (codec, resolution, frame rate, pixel format, dynamic range), the
 * audio tracks and the subtitle tracks. Only the container is demuxed (a
 * bounded probe of the first few MiB); nothing is decoded.
 *
 * Files are outside input (a library can hold anything, on a slow network
 * mount): the probe is bounded in bytes read and in wall time, FFmpeg's own
 * log output is kept off stderr, and a file that is not media, truncated or
 * unreadable is an error with a short message for the scan record, never a
 * crash.
 */
#ifndef REVENGE_LIBRARY_PROBE_H
#define REVENGE_LIBRARY_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/json.h"

#define PROBE_AUDIO_MAX 16
#define PROBE_SUBS_MAX 32
#define PROBE_NAME_MAX 32   /* codec, container, pixel format names (NUL included) */
#define PROBE_LAYOUT_MAX 64 /* channel layout description ("5.1(side)") */
#define PROBE_LANG_MAX 16   /* language tag as stored in the file ("ger", "en-US") */
#define PROBE_FORMAT_MAX 64 /* container short names ("mov,mp4,m4a,3gp,3g2,mj2") */

/* Wall-time limit of one probe; a file that takes longer fails (NFS hangs). */
#define PROBE_TIMEOUT_MS 10000

struct probe_audio {
	char codec[PROBE_NAME_MAX];    /* FFmpeg codec name: "aac", "ac3", "dts", "truehd"... */
	int channels;                  /* 0: unknown */
	char layout[PROBE_LAYOUT_MAX]; /* "stereo", "5.1(side)"; "" unknown */
	char language[PROBE_LANG_MAX]; /* "" when untagged (or "und") */
	bool is_default;
};

struct probe_sub {
	char codec[PROBE_NAME_MAX]; /* "subrip", "ass", "hdmv_pgs_subtitle", "mov_text"... */
	char language[PROBE_LANG_MAX];
	bool is_default;
	bool forced;
};

/*
 * Everything inline: no pointers into FFmpeg's memory, so the struct can be
 * copied and outlives the probe. Strings are "" when absent, numbers 0;
 * names longer than their array are truncated.
 */
struct probe_result {
	char container[PROBE_FORMAT_MAX]; /* demuxer short name: "matroska,webm", "mov,mp4,..." */
	int64_t file_size;                /* bytes, from stat() */
	int64_t duration_ms;
	int64_t bit_rate; /* bits/s over the whole file */
	bool has_video;   /* the video fields below are set */
	struct {
		char codec[PROBE_NAME_MAX]; /* "h264", "hevc", "av1", "mpeg4"... */
		int width, height;
		double fps;                   /* frame rate, e.g. 23.976...; 0 unknown */
		int fps_num, fps_den;         /* exact rational, e.g. 24000/1001 */
		char pix_fmt[PROBE_NAME_MAX]; /* "yuv420p", "yuv420p10le" */
		/* "HDR10", "HLG", "Dolby Vision" (static strings); NULL for SDR or unknown */
		const char *hdr;
	} video;
	int audio_count;
	struct probe_audio audio[PROBE_AUDIO_MAX]; /* the first PROBE_AUDIO_MAX tracks */
	int sub_count;
	struct probe_sub subs[PROBE_SUBS_MAX]; /* the first PROBE_SUBS_MAX tracks */
};

/*
 * Probe the file at path into *out (always fully initialised, also on
 * error). Thread-safe; allocates only inside FFmpeg and frees all of it
 * before returning. Attached pictures (cover art) are not counted as video.
 *
 * Returns APP_OK; APP_ERR_VALIDATION when path is NULL or empty;
 * APP_ERR_UNPROCESSABLE when the file is missing, unreadable, not a regular
 * file, empty, not media, truncated beyond use or slower than
 * PROBE_TIMEOUT_MS. On error a short sentence ("not a media file", "no such
 * file") is written to err (errlen bytes, NUL-terminated, may be NULL/0).
 */
enum app_err probe_file(const char *path, struct probe_result *out, char *err, size_t errlen);

/*
 * Write p as one JSON object with the keys container, file_size,
 * duration_ms, bit_rate, video (null, or {codec, width, height, fps,
 * fps_num, fps_den, pix_fmt, hdr}), audio ([{codec, channels, layout,
 * language, default}]) and subtitles ([{codec, language, default,
 * forced}]); "" strings and 0 for unknown numbers are written as null.
 * Errors land in the writer's buffer (check buf_ok()).
 */
void probe_json(const struct probe_result *p, struct jw *w);

#endif

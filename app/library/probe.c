/*
 * probe: libavformat behind a bounded, quiet, copy-out interface.
 *
 * Safety decisions, all because library files are outside input:
 *  - only the "file" protocol is allowed, so a playlist-like file (HLS,
 *    concat, SDP) cannot make FFmpeg open URLs or other paths;
 *  - only the demuxers of the video containers the scanner keeps
 *    (SPEC 3.2) are allowed, which also keeps out the image-sequence and
 *    raw-data demuxers that would "succeed" on anything;
 *  - probesize/analyzeduration bound what is read, and an interrupt
 *    callback bounds wall time, so a stalled NFS read fails the file
 *    instead of hanging a worker;
 *  - FFmpeg's log goes to our logger at debug level (and nowhere below
 *    it), never to stderr.
 */
#include "library/probe.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <pthread.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/pixdesc.h>
#include <libavutil/time.h>

#include "core/log.h"

#define PROBE_SIZE "8000000"       /* bytes read to find streams */
#define PROBE_ANALYZE_US "5000000" /* media time analysed for stream parameters */
#define PROBE_PACKETS_MAX 256      /* packets read looking for real media data */

/* Demuxer names as FFmpeg spells them; a format matches when any of its
 * comma-separated names is listed. */
static const char probe_formats[] = "matroska,webm,mov,mp4,avi,asf,flv,mpeg,mpegts,mpegvideo,"
                                    "ogg,h264,hevc,m4v,nut,dv,rm,wtv";

static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe_av_log(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[512];
	int prefix = 1;
	size_t n;

	if (level > AV_LOG_WARNING || !log_enabled(LL_DEBUG))
		return;
	av_log_format_line2(avcl, level, fmt, vl, line, (int)sizeof(line), &prefix);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_msg(LL_DEBUG, "ffmpeg", "%s", line);
}

static void probe_init_once(void)
{
	av_log_set_level(AV_LOG_WARNING);
	av_log_set_callback(probe_av_log);
}

static void set_err(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Interrupt callback: opaque is the deadline on av_gettime_relative()'s clock. */
static int probe_interrupt(void *opaque)
{
	const int64_t *deadline = opaque;
	return av_gettime_relative() > *deadline;
}

static const char *av_err_sentence(int rc, const int64_t *deadline)
{
	if (rc == AVERROR_EXIT || av_gettime_relative() > *deadline)
		return "probe timed out";
	if (rc == AVERROR(ENOENT))
		return "no such file";
	if (rc == AVERROR(EACCES) || rc == AVERROR(EPERM))
		return "permission denied";
	if (rc == AVERROR(EIO))
		return "read error";
	if (rc == AVERROR(EINVAL))
		return "not a supported media container";
	return "not a media file (unrecognised or damaged)";
}

static void lang_of(const AVStream *st, char *dst, size_t cap)
{
	const AVDictionaryEntry *e = av_dict_get(st->metadata, "language", NULL, 0);
	copy_str(dst, cap, e && strcmp(e->value, "und") ? e->value : "");
}

static bool has_dovi(const AVStream *st)
{
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 31, 100)
	return av_packet_side_data_get(st->codecpar->coded_side_data,
	                               st->codecpar->nb_coded_side_data,
	                               AV_PKT_DATA_DOVI_CONF) != NULL;
#else
	size_t size = 0;
	return av_stream_get_side_data(st, AV_PKT_DATA_DOVI_CONF, &size) != NULL && size > 0;
#endif
}

static const char *hdr_of(const AVStream *st)
{
	const AVCodecParameters *cp = st->codecpar;

	/* Dolby Vision first: profile 8 streams also carry PQ or HLG transfer
	 * for their HDR10/HLG base layer, and the richer format is the one a
	 * client wants to know about. */
	if (has_dovi(st))
		return "Dolby Vision";
	if (cp->color_trc == AVCOL_TRC_SMPTE2084)
		return "HDR10";
	if (cp->color_trc == AVCOL_TRC_ARIB_STD_B67)
		return "HLG";
	return NULL;
}

static void fill_video(const AVStream *st, struct probe_result *out)
{
	const AVCodecParameters *cp = st->codecpar;
	AVRational fr = st->avg_frame_rate;

	if (fr.num <= 0 || fr.den <= 0)
		fr = st->r_frame_rate;
	out->has_video = true;
	copy_str(out->video.codec, sizeof(out->video.codec), avcodec_get_name(cp->codec_id));
	out->video.width = cp->width;
	out->video.height = cp->height;
	if (fr.num > 0 && fr.den > 0) {
		out->video.fps_num = fr.num;
		out->video.fps_den = fr.den;
		out->video.fps = av_q2d(fr);
	}
	copy_str(out->video.pix_fmt, sizeof(out->video.pix_fmt),
	         av_get_pix_fmt_name((enum AVPixelFormat)cp->format));
	out->video.hdr = hdr_of(st);
}

static void fill_audio(const AVStream *st, struct probe_audio *a)
{
	const AVCodecParameters *cp = st->codecpar;

	copy_str(a->codec, sizeof(a->codec), avcodec_get_name(cp->codec_id));
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 28, 100)
	a->channels = cp->ch_layout.nb_channels;
	if (cp->ch_layout.order != AV_CHANNEL_ORDER_UNSPEC &&
	    av_channel_layout_describe(&cp->ch_layout, a->layout, sizeof(a->layout)) < 0)
		a->layout[0] = '\0';
#else
	a->channels = cp->channels;
	if (cp->channel_layout)
		av_get_channel_layout_string(a->layout, (int)sizeof(a->layout), cp->channels,
		                             cp->channel_layout);
#endif
	lang_of(st, a->language, sizeof(a->language));
	a->is_default = (st->disposition & AV_DISPOSITION_DEFAULT) != 0;
}

static void fill_sub(const AVStream *st, struct probe_sub *s)
{
	copy_str(s->codec, sizeof(s->codec), avcodec_get_name(st->codecpar->codec_id));
	lang_of(st, s->language, sizeof(s->language));
	s->is_default = (st->disposition & AV_DISPOSITION_DEFAULT) != 0;
	s->forced = (st->disposition & AV_DISPOSITION_FORCED) != 0;
}

/*
 * A container header can be intact while the data behind it is gone (a
 * copy cut short): the demuxer still reports the streams, the duration and
 * the codecs the header declares, but no packets. Read until one whole
 * packet of the main stream (the video, else the first audio track)
 * arrives; a whole packet of some other stream is not enough, because
 * muxers put small audio packets ahead of the first video frame.
 */
static bool has_media_data(AVFormatContext *fc, int want)
{
	AVPacket *pkt = av_packet_alloc();
	bool ok = false;

	if (!pkt)
		return false;
	for (int i = 0; i < PROBE_PACKETS_MAX && !ok; i++) {
		if (av_read_frame(fc, pkt) < 0)
			break;
		ok = pkt->stream_index == want && pkt->size > 0 &&
		     !(pkt->flags & AV_PKT_FLAG_CORRUPT);
		av_packet_unref(pkt);
	}
	av_packet_free(&pkt);
	return ok;
}

enum app_err probe_file(const char *path, struct probe_result *out, char *err, size_t errlen)
{
	AVFormatContext *fc = NULL;
	AVDictionary *opts = NULL;
	int64_t deadline;
	struct stat sb;
	enum app_err e = APP_ERR_UNPROCESSABLE;
	int main_index = -1;
	int rc;

	memset(out, 0, sizeof(*out));
	set_err(err, errlen, "");
	if (!path || !*path) {
		set_err(err, errlen, "no path");
		return APP_ERR_VALIDATION;
	}
	pthread_once(&probe_once, probe_init_once);

	if (stat(path, &sb) < 0) {
		set_err(err, errlen,
		        errno == ENOENT || errno == ENOTDIR ? "no such file"
		        : errno == EACCES                   ? "permission denied"
		                                            : "cannot read file");
		return APP_ERR_UNPROCESSABLE;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_err(err, errlen, "not a regular file");
		return APP_ERR_UNPROCESSABLE;
	}
	out->file_size = (int64_t)sb.st_size;
	if (sb.st_size == 0) {
		set_err(err, errlen, "empty file");
		return APP_ERR_UNPROCESSABLE;
	}

	if (!(fc = avformat_alloc_context())) {
		set_err(err, errlen, "out of memory");
		return APP_ERR_NOMEM;
	}
	deadline = av_gettime_relative() + (int64_t)PROBE_TIMEOUT_MS * 1000;
	fc->interrupt_callback.callback = probe_interrupt;
	fc->interrupt_callback.opaque = &deadline;
	if (av_dict_set(&opts, "probesize", PROBE_SIZE, 0) < 0 ||
	    av_dict_set(&opts, "analyzeduration", PROBE_ANALYZE_US, 0) < 0 ||
	    av_dict_set(&opts, "protocol_whitelist", "file", 0) < 0 ||
	    av_dict_set(&opts, "format_whitelist", probe_formats, 0) < 0) {
		av_dict_free(&opts);
		avformat_free_context(fc);
		set_err(err, errlen, "out of memory");
		return APP_ERR_NOMEM;
	}
	/* on failure avformat_open_input frees fc and sets it to NULL */
	rc = avformat_open_input(&fc, path, NULL, &opts);
	av_dict_free(&opts);
	if (rc < 0) {
		set_err(err, errlen, av_err_sentence(rc, &deadline));
		goto out;
	}
	/* A failure here still leaves what the header said; the checks below
	 * decide whether that is enough. */
	(void)avformat_find_stream_info(fc, NULL);
	if (av_gettime_relative() > deadline) {
		set_err(err, errlen, "probe timed out");
		goto out;
	}

	copy_str(out->container, sizeof(out->container), fc->iformat->name);
	if (fc->duration != AV_NOPTS_VALUE && fc->duration > 0)
		out->duration_ms = fc->duration / (AV_TIME_BASE / 1000);
	if (fc->bit_rate > 0)
		out->bit_rate = fc->bit_rate;
	for (unsigned i = 0; i < fc->nb_streams; i++) {
		const AVStream *st = fc->streams[i];
		switch (st->codecpar->codec_type) {
		case AVMEDIA_TYPE_VIDEO:
			if (!out->has_video && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
				fill_video(st, out);
				main_index = (int)i;
			}
			break;
		case AVMEDIA_TYPE_AUDIO:
			if (main_index < 0 && out->audio_count == 0)
				main_index = (int)i;
			if (out->audio_count < PROBE_AUDIO_MAX)
				fill_audio(st, &out->audio[out->audio_count++]);
			break;
		case AVMEDIA_TYPE_SUBTITLE:
			if (out->sub_count < PROBE_SUBS_MAX)
				fill_sub(st, &out->subs[out->sub_count++]);
			break;
		default:
			break;
		}
	}
	if (main_index < 0) {
		set_err(err, errlen, "no video or audio stream");
		goto out;
	}
	if (!has_media_data(fc, main_index)) {
		set_err(err, errlen,
		        av_gettime_relative() > deadline
		            ? "probe timed out"
		            : "truncated or damaged: no readable media data");
		goto out;
	}
	e = APP_OK;
out:
	avformat_close_input(&fc);
	if (e) {
		int64_t size = out->file_size;
		memset(out, 0, sizeof(*out));
		out->file_size = size;
	}
	return e;
}

static void jw_str_or_null(struct jw *w, const char *s)
{
	jw_str(w, s && *s ? s : NULL);
}

static void jw_int_or_null(struct jw *w, int64_t v)
{
	if (v > 0)
		jw_int(w, v);
	else
		jw_null(w);
}

void probe_json(const struct probe_result *p, struct jw *w)
{
	jw_obj_open(w);
	jw_key(w, "container");
	jw_str_or_null(w, p->container);
	jw_key(w, "file_size");
	jw_int(w, p->file_size);
	jw_key(w, "duration_ms");
	jw_int_or_null(w, p->duration_ms);
	jw_key(w, "bit_rate");
	jw_int_or_null(w, p->bit_rate);
	jw_key(w, "video");
	if (!p->has_video) {
		jw_null(w);
	} else {
		jw_obj_open(w);
		jw_key(w, "codec");
		jw_str_or_null(w, p->video.codec);
		jw_key(w, "width");
		jw_int_or_null(w, p->video.width);
		jw_key(w, "height");
		jw_int_or_null(w, p->video.height);
		jw_key(w, "fps");
		if (p->video.fps > 0)
			jw_double(w, p->video.fps);
		else
			jw_null(w);
		jw_key(w, "fps_num");
		jw_int_or_null(w, p->video.fps_num);
		jw_key(w, "fps_den");
		jw_int_or_null(w, p->video.fps_den);
		jw_key(w, "pix_fmt");
		jw_str_or_null(w, p->video.pix_fmt);
		jw_key(w, "hdr");
		jw_str(w, p->video.hdr);
		jw_obj_close(w);
	}
	jw_key(w, "audio");
	jw_arr_open(w);
	for (int i = 0; i < p->audio_count; i++) {
		const struct probe_audio *a = &p->audio[i];
		jw_obj_open(w);
		jw_key(w, "codec");
		jw_str_or_null(w, a->codec);
		jw_key(w, "channels");
		jw_int_or_null(w, a->channels);
		jw_key(w, "layout");
		jw_str_or_null(w, a->layout);
		jw_key(w, "language");
		jw_str_or_null(w, a->language);
		jw_key(w, "default");
		jw_bool(w, a->is_default);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_key(w, "subtitles");
	jw_arr_open(w);
	for (int i = 0; i < p->sub_count; i++) {
		const struct probe_sub *s = &p->subs[i];
		jw_obj_open(w);
		jw_key(w, "codec");
		jw_str_or_null(w, s->codec);
		jw_key(w, "language");
		jw_str_or_null(w, s->language);
		jw_key(w, "default");
		jw_bool(w, s->is_default);
		jw_key(w, "forced");
		jw_bool(w, s->forced);
		jw_obj_close(w);
	}
	jw_arr_close(w);
	jw_obj_close(w);
}

/*
 * probe: media files made at test time with the ffmpeg command line (a
 * project dependency, installed by `deploy/stack.sh deps`) into a private
 * temporary directory, probed with exact expected values: an MKV with
 * H.264 + AAC stereo (ger) + SubRip (eng), an MP4, HEVC 10-bit tagged
 * PQ/BT.2020 (HDR10) and HLG when libx265 is available; then the failures
 * a scan meets: a truncated copy, a text file named .mkv, a missing path,
 * an empty file, a directory. The JSON shapes are checked by parsing them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include "core/buf.h"
#include "core/json.h"
#include "library/probe.h"

static char dir[64];
static int have_ffmpeg;
static int have_x265;
static const char *const made[] = {"sub.srt", "a.mkv",     "a.mp4",    "hdr10.mkv",
                                   "hlg.mkv", "trunc.mkv", "text.mkv", "empty.mkv"};

static const char *at(const char *name)
{
	static char path[2][128];
	static int k;
	k ^= 1;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

/* Run an ffmpeg command line (args appended to the common flags); 0 on success. */
static int ffmpeg(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd),
	         "cd '%s' && ffmpeg -nostdin -hide_banner -loglevel error -y %s >/dev/null 2>&1",
	         dir, args);
	return system(cmd);
}

static int write_file(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(at(name), "wb");
	if (!f)
		return -1;
	if (n && fwrite(data, 1, n, f) != n) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

#define SRC_V "-f lavfi -i testsrc=duration=1:size=320x240:rate=25 "
#define SRC_A "-f lavfi -i sine=duration=1 "
#define ENC_V "-c:v libx264 -preset ultrafast -pix_fmt yuv420p "
#define ENC_A "-c:a aac -ac 2 "
#define X265(trc)                                                                                  \
	"-c:v libx265 -preset ultrafast -pix_fmt yuv420p10le -x265-params log-level=error "        \
	"-color_trc " trc " -color_primaries bt2020 -colorspace bt2020nc "

static int setup(void **state)
{
	static const char srt[] = "1\n00:00:00,000 --> 00:00:00,900\nHallo\n\n";
	static const char text[] = "this is a text file, not a Matroska file\n";
	char buf[2048];
	FILE *in;
	size_t n;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/revenge-probe-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (write_file("sub.srt", srt, sizeof(srt) - 1) ||
	    write_file("text.mkv", text, sizeof(text) - 1) || write_file("empty.mkv", "", 0))
		return -1;
	have_ffmpeg = system("ffmpeg -version >/dev/null 2>&1") == 0;
	if (!have_ffmpeg)
		return 0;
	have_x265 = system("ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libx265") == 0;
	if (ffmpeg(SRC_V SRC_A "-i sub.srt -map 0 -map 1 -map 2 " ENC_V ENC_A "-c:s srt "
	                       "-metadata:s:a:0 language=ger -metadata:s:s:0 language=eng a.mkv") ||
	    ffmpeg(SRC_V SRC_A ENC_V ENC_A "a.mp4"))
		return -1;
	if (have_x265 && (ffmpeg(SRC_V X265("smpte2084") "hdr10.mkv") ||
	                  ffmpeg(SRC_V X265("arib-std-b67") "hlg.mkv")))
		return -1;
	/* the first 2 KiB: the header and tracks survive, the first video frame does not */
	if (!(in = fopen(at("a.mkv"), "rb")))
		return -1;
	n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	return n == sizeof(buf) ? write_file("trunc.mkv", buf, n) : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++)
		unlink(at(made[i]));
	rmdir(dir);
	return 0;
}

static void need_ffmpeg(void)
{
	if (!have_ffmpeg)
		fail_msg("ffmpeg is not installed: it is a project dependency "
		         "(run deploy/stack.sh deps); these tests need it to make media files");
}

static struct probe_result R;

static const struct probe_result *probe_ok(const char *name)
{
	char err[128];
	enum app_err e = probe_file(at(name), &R, err, sizeof(err));
	if (e != APP_OK)
		fail_msg("probe %s: %d %s", name, (int)e, err);
	assert_string_equal(err, "");
	return &R;
}

static void expect_fail(const char *path, const char *msg)
{
	char err[128];
	assert_int_equal(probe_file(path, &R, err, sizeof(err)), APP_ERR_UNPROCESSABLE);
	assert_string_equal(err, msg);
	assert_false(R.has_video);
	assert_int_equal(R.audio_count, 0);
	assert_int_equal(R.sub_count, 0);
	assert_int_equal(R.duration_ms, 0);
	assert_string_equal(R.container, "");
}

static void expect_duration_1s(const struct probe_result *p)
{
	if (p->duration_ms < 900 || p->duration_ms > 1100)
		fail_msg("duration %lld ms, want 1000 +- 100", (long long)p->duration_ms);
}

static void expect_video(const struct probe_result *p, const char *codec, const char *pix_fmt)
{
	assert_true(p->has_video);
	assert_string_equal(p->video.codec, codec);
	assert_int_equal(p->video.width, 320);
	assert_int_equal(p->video.height, 240);
	assert_true(p->video.fps > 24.99 && p->video.fps < 25.01);
	assert_int_equal(p->video.fps_num, 25);
	assert_int_equal(p->video.fps_den, 1);
	assert_string_equal(p->video.pix_fmt, pix_fmt);
}

static void test_mkv(void **state)
{
	const struct probe_result *p;
	(void)state;
	need_ffmpeg();
	p = probe_ok("a.mkv");
	assert_string_equal(p->container, "matroska,webm");
	expect_duration_1s(p);
	assert_true(p->bit_rate > 0);
	assert_true(p->file_size > 2048);
	expect_video(p, "h264", "yuv420p");
	assert_null(p->video.hdr);
	assert_int_equal(p->audio_count, 1);
	assert_string_equal(p->audio[0].codec, "aac");
	assert_int_equal(p->audio[0].channels, 2);
	assert_string_equal(p->audio[0].layout, "stereo");
	assert_string_equal(p->audio[0].language, "ger");
	assert_int_equal(p->sub_count, 1);
	assert_string_equal(p->subs[0].codec, "subrip");
	assert_string_equal(p->subs[0].language, "eng");
	assert_false(p->subs[0].forced);
}

static void test_mp4(void **state)
{
	const struct probe_result *p;
	(void)state;
	need_ffmpeg();
	p = probe_ok("a.mp4");
	assert_string_equal(p->container, "mov,mp4,m4a,3gp,3g2,mj2");
	expect_duration_1s(p);
	expect_video(p, "h264", "yuv420p");
	assert_int_equal(p->audio_count, 1);
	assert_string_equal(p->audio[0].codec, "aac");
	assert_int_equal(p->audio[0].channels, 2);
	assert_string_equal(p->audio[0].language, ""); /* untagged ("und") */
	assert_true(p->audio[0].is_default);
	assert_int_equal(p->sub_count, 0);
}

static void test_hdr(void **state)
{
	const struct probe_result *p;
	(void)state;
	need_ffmpeg();
	if (!have_x265)
		skip();
	p = probe_ok("hdr10.mkv");
	expect_video(p, "hevc", "yuv420p10le");
	assert_non_null(p->video.hdr);
	assert_string_equal(p->video.hdr, "HDR10");
	assert_int_equal(p->audio_count, 0);
	p = probe_ok("hlg.mkv");
	assert_non_null(p->video.hdr);
	assert_string_equal(p->video.hdr, "HLG");
}

static void test_truncated(void **state)
{
	(void)state;
	need_ffmpeg();
	expect_fail(at("trunc.mkv"), "truncated or damaged: no readable media data");
	assert_int_equal(R.file_size, 2048);
}

static void test_not_media(void **state)
{
	char err[128];
	(void)state;
	expect_fail(at("text.mkv"), "not a media file (unrecognised or damaged)");
	expect_fail(at("empty.mkv"), "empty file");
	expect_fail(at("missing.mkv"), "no such file");
	expect_fail(dir, "not a regular file");
	assert_int_equal(probe_file("", &R, err, sizeof(err)), APP_ERR_VALIDATION);
	assert_int_equal(probe_file(NULL, &R, NULL, 0), APP_ERR_VALIDATION);
	/* a short error buffer is truncated, never overrun */
	assert_int_equal(probe_file(at("missing.mkv"), &R, err, 4), APP_ERR_UNPROCESSABLE);
	assert_string_equal(err, "no ");
}

static cJSON *to_json(const struct probe_result *p)
{
	struct buf b;
	struct jw w;
	cJSON *j;

	buf_init(&b, 64 * 1024);
	jw_init(&w, &b);
	probe_json(p, &w);
	assert_true(buf_ok(&b));
	j = cJSON_Parse(b.data);
	buf_release(&b);
	assert_non_null(j);
	return j;
}

static void test_json(void **state)
{
	struct probe_result empty;
	cJSON *j, *v, *a, *s;
	(void)state;
	need_ffmpeg();
	j = to_json(probe_ok("a.mkv"));
	assert_string_equal(cJSON_GetObjectItem(j, "container")->valuestring, "matroska,webm");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "duration_ms")));
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "file_size")));
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "bit_rate")));
	v = cJSON_GetObjectItem(j, "video");
	assert_string_equal(cJSON_GetObjectItem(v, "codec")->valuestring, "h264");
	assert_int_equal(cJSON_GetObjectItem(v, "width")->valueint, 320);
	assert_int_equal(cJSON_GetObjectItem(v, "height")->valueint, 240);
	assert_true(cJSON_GetObjectItem(v, "fps")->valuedouble == 25.0);
	assert_string_equal(cJSON_GetObjectItem(v, "pix_fmt")->valuestring, "yuv420p");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(v, "hdr")));
	a = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "audio"), 0);
	assert_string_equal(cJSON_GetObjectItem(a, "language")->valuestring, "ger");
	assert_int_equal(cJSON_GetObjectItem(a, "channels")->valueint, 2);
	assert_true(cJSON_IsBool(cJSON_GetObjectItem(a, "default")));
	s = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "subtitles"), 0);
	assert_string_equal(cJSON_GetObjectItem(s, "codec")->valuestring, "subrip");
	assert_string_equal(cJSON_GetObjectItem(s, "language")->valuestring, "eng");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(s, "forced")));
	cJSON_Delete(j);

	/* nothing known: nulls and empty arrays, not "" or 0 */
	memset(&empty, 0, sizeof(empty));
	j = to_json(&empty);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "container")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "duration_ms")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(j, "video")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "audio")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "subtitles")), 0);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mkv),       cmocka_unit_test(test_mp4),
	    cmocka_unit_test(test_hdr),       cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_not_media), cmocka_unit_test(test_json),
	};
	return cmocka_run_group_tests_name("probe", tests, setup, teardown);
}

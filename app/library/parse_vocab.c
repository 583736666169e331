/*
 * parse_vocab: the release-name vocabulary as tables. Each entry is a run of
 * lower-case words that must match consecutive tokens ("web dl" matches
 * "WEB-DL", "web.dl" and "Web DL"); the longest entry wins, so "uhd bluray"
 * beats "bluray". Values use guessit's vocabulary where it has one.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "library/parse_int.h"

struct vocab {
	const char *words;
	uint8_t kind;
	const char *value;
};

static const struct vocab vocab[] = {
	/* screen sizes */
	{"360p", K_SCREEN, "360p"}, {"368p", K_SCREEN, "368p"}, {"480p", K_SCREEN, "480p"},
	{"480i", K_SCREEN, "480i"}, {"540p", K_SCREEN, "540p"}, {"576p", K_SCREEN, "576p"},
	{"576i", K_SCREEN, "576i"}, {"720p", K_SCREEN, "720p"}, {"720i", K_SCREEN, "720i"},
	{"900p", K_SCREEN, "900p"}, {"1080p", K_SCREEN, "1080p"}, {"1080i", K_SCREEN, "1080i"},
	{"1440p", K_SCREEN, "1440p"}, {"2160p", K_SCREEN, "2160p"}, {"4320p", K_SCREEN, "4320p"},
	{"4k", K_SCREEN, "2160p"}, {"8k", K_SCREEN, "4320p"}, {"720hd", K_SCREEN, "720p"},
	{"1080hd", K_SCREEN, "1080p"}, {"fullhd", K_SCREEN, "1080p"}, {"1080 p", K_SCREEN, "1080p"},
	{"720 p", K_SCREEN, "720p"},

	/* sources */
	{"uhd bluray", K_SOURCE, "Ultra HD Blu-ray"}, {"uhd blu ray", K_SOURCE, "Ultra HD Blu-ray"},
	{"ultrahd bluray", K_SOURCE, "Ultra HD Blu-ray"}, {"uhd bdrip", K_SOURCE, "Ultra HD Blu-ray"},
	{"uhd bdremux", K_SOURCE, "Ultra HD Blu-ray"}, {"uhdbluray", K_SOURCE, "Ultra HD Blu-ray"},
	{"uhd", K_OTHER, NULL}, {"ultrahd blu ray", K_SOURCE, "Ultra HD Blu-ray"},
	{"ultrahd", K_OTHER, NULL}, {"dmrip", K_SOURCE, "Digital Master"},
	{"webcap", K_SOURCE, "Web"}, {"dlmux", K_SOURCE, "Web"}, {"hdtvmux", K_SOURCE, "HDTV"},
	{"bluraymux", K_SOURCE, "Blu-ray"}, {"mux", K_OTHER, NULL}, {"dvdivx", K_SOURCE, "DVD"},
	{"hevc10", K_VCODEC, "H.265"}, {"h262", K_VCODEC, "MPEG-2"}, {"mpg2", K_VCODEC, "MPEG-2"},
	{"dtses", K_ACODEC, "DTS"}, {"ddex", K_ACODEC, "Dolby Digital"}, {"dolby", K_ACODEC, "Dolby Digital"},
	{"1080p24", K_SCREEN, "1080p"}, {"1080p25", K_SCREEN, "1080p"}, {"2160p60", K_SCREEN, "2160p"},
	{"bluray", K_SOURCE, "Blu-ray"}, {"blu ray", K_SOURCE, "Blu-ray"}, {"bdrip", K_SOURCE, "Blu-ray"},
	{"brrip", K_SOURCE, "Blu-ray"}, {"bdremux", K_SOURCE, "Blu-ray"}, {"bd", K_SOURCE, "Blu-ray"},
	{"bdmv", K_SOURCE, "Blu-ray"}, {"bd25", K_SOURCE, "Blu-ray"}, {"bd50", K_SOURCE, "Blu-ray"},
	{"bd5", K_SOURCE, "Blu-ray"}, {"bd9", K_SOURCE, "Blu-ray"}, {"hdbluray", K_SOURCE, "Blu-ray"},
	{"bluray rip", K_SOURCE, "Blu-ray"}, {"blurayrip", K_SOURCE, "Blu-ray"},
	{"bdscr", K_SOURCE, "Blu-ray"}, {"br rip", K_SOURCE, "Blu-ray"}, {"bd rip", K_SOURCE, "Blu-ray"},
	{"web dl", K_SOURCE, "Web"}, {"webdl", K_SOURCE, "Web"}, {"webrip", K_SOURCE, "Web"},
	{"web rip", K_SOURCE, "Web"}, {"web", K_SOURCE, "Web"}, {"webhd", K_SOURCE, "Web"},
	{"web hd", K_SOURCE, "Web"}, {"webdlrip", K_SOURCE, "Web"}, {"web dlrip", K_SOURCE, "Web"},
	{"hdtv", K_SOURCE, "HDTV"}, {"hdtvrip", K_SOURCE, "HDTV"}, {"hdtv rip", K_SOURCE, "HDTV"},
	{"hd tv", K_SOURCE, "HDTV"}, {"uhdtv", K_SOURCE, "Ultra HDTV"}, {"ahdtv", K_SOURCE, "Analog HDTV"},
	{"pdtv", K_SOURCE, "Digital TV"}, {"dvb", K_SOURCE, "Digital TV"}, {"dvbrip", K_SOURCE, "Digital TV"},
	{"dvb rip", K_SOURCE, "Digital TV"}, {"dtv", K_SOURCE, "Digital TV"},
	{"sdtv", K_SOURCE, "TV"}, {"tvrip", K_SOURCE, "TV"}, {"tv rip", K_SOURCE, "TV"},
	{"dsr", K_SOURCE, "Satellite"}, {"dsrip", K_SOURCE, "Satellite"}, {"satrip", K_SOURCE, "Satellite"},
	{"dth", K_SOURCE, "Satellite"}, {"dm", K_SOURCE, "Digital Master"},
	{"dvd", K_SOURCE, "DVD"}, {"dvdrip", K_SOURCE, "DVD"}, {"dvd rip", K_SOURCE, "DVD"},
	{"dvdr", K_SOURCE, "DVD"}, {"dvd5", K_SOURCE, "DVD"}, {"dvd9", K_SOURCE, "DVD"},
	{"dvdscr", K_SOURCE, "DVD"}, {"dvdivx5", K_SOURCE, "DVD"},
	{"dvdmux", K_SOURCE, "DVD"}, {"dvdremux", K_SOURCE, "DVD"}, {"ntsc", K_OTHER, NULL},
	{"hddvd", K_SOURCE, "HD-DVD"}, {"hd dvd", K_SOURCE, "HD-DVD"}, {"hddvdrip", K_SOURCE, "HD-DVD"},
	{"cam", K_SOURCE, "Camera"}, {"camrip", K_SOURCE, "Camera"}, {"hdcam", K_SOURCE, "HD Camera"},
	{"telesync", K_SOURCE, "Telesync"}, {"hdts", K_SOURCE, "HD Telesync"},
	{"telecine", K_SOURCE, "Telecine"}, {"hdtc", K_SOURCE, "HD Telecine"},
	{"vhs", K_SOURCE, "VHS"}, {"vhsrip", K_SOURCE, "VHS"}, {"ppv", K_SOURCE, "Pay-per-view"},
	{"workprint", K_SOURCE, "Workprint"},

	/* video codecs */
	{"x264", K_VCODEC, "H.264"}, {"h264", K_VCODEC, "H.264"}, {"h 264", K_VCODEC, "H.264"},
	{"x 264", K_VCODEC, "H.264"}, {"avc", K_VCODEC, "H.264"}, {"avc1", K_VCODEC, "H.264"},
	{"x265", K_VCODEC, "H.265"}, {"h265", K_VCODEC, "H.265"}, {"h 265", K_VCODEC, "H.265"},
	{"x 265", K_VCODEC, "H.265"}, {"hevc", K_VCODEC, "H.265"},
	{"xvid", K_VCODEC, "Xvid"}, {"xvidhd", K_VCODEC, "Xvid"}, {"divx", K_VCODEC, "DivX"},
	{"divx5", K_VCODEC, "DivX"}, {"mpeg2", K_VCODEC, "MPEG-2"}, {"mpeg 2", K_VCODEC, "MPEG-2"},
	{"vc1", K_VCODEC, "VC-1"}, {"vc 1", K_VCODEC, "VC-1"}, {"vp9", K_VCODEC, "VP9"},
	{"vp8", K_VCODEC, "VP8"}, {"vp7", K_VCODEC, "VP7"}, {"h263", K_VCODEC, "H.263"},
	{"av1", K_VCODEC, "AV1"}, {"rv10", K_VCODEC, "RealVideo"},

	/* audio codecs (channel suffixes like "5.1" are eaten in vocab_match) */
	{"dts hd ma", K_ACODEC, "DTS-HD"}, {"dts hdma", K_ACODEC, "DTS-HD"}, {"dts hd", K_ACODEC, "DTS-HD"}, {"dtshd", K_ACODEC, "DTS-HD"},
	{"dts ma", K_ACODEC, "DTS-HD"}, {"dtsma", K_ACODEC, "DTS-HD"}, {"dts x", K_ACODEC, "DTS:X"},
	{"dtsx", K_ACODEC, "DTS:X"}, {"dts", K_ACODEC, "DTS"},
	{"ac3", K_ACODEC, "Dolby Digital"}, {"dd", K_ACODEC, "Dolby Digital"},
	{"dolby digital", K_ACODEC, "Dolby Digital"}, {"ac3d", K_ACODEC, "Dolby Digital"},
	{"eac3", K_ACODEC, "Dolby Digital Plus"}, {"e ac3", K_ACODEC, "Dolby Digital Plus"},
	{"ddp", K_ACODEC, "Dolby Digital Plus"}, {"dd+", K_ACODEC, "Dolby Digital Plus"},
	{"aac", K_ACODEC, "AAC"}, {"aaclc", K_ACODEC, "AAC"}, {"he aac", K_ACODEC, "AAC"},
	{"truehd", K_ACODEC, "Dolby TrueHD"}, {"true hd", K_ACODEC, "Dolby TrueHD"},
	{"atmos", K_ACODEC, "Dolby Atmos"}, {"flac", K_ACODEC, "FLAC"}, {"mp3", K_ACODEC, "MP3"},
	{"lame", K_ACODEC, "MP3"}, {"mp2", K_ACODEC, "MP2"}, {"opus", K_ACODEC, "Opus"},
	{"vorbis", K_ACODEC, "Vorbis"}, {"lpcm", K_ACODEC, "LPCM"}, {"pcm", K_ACODEC, "PCM"},

	/* HDR */
	{"hdr10plus", K_HDR, "HDR10+"}, {"hdr10+", K_HDR, "HDR10+"}, {"hdr10", K_HDR, "HDR10"},
	{"hdr", K_HDR, "HDR10"}, {"dolby vision", K_HDR, "Dolby Vision"}, {"dovi", K_HDR, "Dolby Vision"},
	{"dv", K_HDR, "Dolby Vision"}, {"hlg", K_HDR, "HLG"},

	/* editions */
	{"director's cut", K_EDITION, "Director's Cut"}, {"directors cut", K_EDITION, "Director's Cut"},
	{"director cut", K_EDITION, "Director's Cut"}, {"dircut", K_EDITION, "Director's Cut"},
	{"director's edition", K_EDITION, "Director's Cut"},
	{"extended cut", K_EDITION, "Extended"}, {"extended edition", K_EDITION, "Extended"},
	{"extended", K_EDITION, "Extended"}, {"uncut", K_EDITION, "Uncut"},
	{"unrated", K_EDITION, "Unrated"}, {"uncensored", K_EDITION, "Uncensored"},
	{"theatrical cut", K_EDITION, "Theatrical"}, {"theatrical edition", K_EDITION, "Theatrical"},
	{"theatrical", K_EDITION, "Theatrical"}, {"remastered", K_EDITION, "Remastered"},
	{"restored", K_EDITION, "Restored"}, {"special edition", K_EDITION, "Special"},
	{"criterion collection", K_EDITION, "Criterion"}, {"criterion edition", K_EDITION, "Criterion"},
	{"criterion", K_EDITION, "Criterion"}, {"imax", K_EDITION, "IMAX"},
	{"imax edition", K_EDITION, "IMAX"}, {"limited", K_EDITION, "Limited"},
	{"collector's edition", K_EDITION, "Collector"}, {"collectors edition", K_EDITION, "Collector"},
	{"ultimate edition", K_EDITION, "Ultimate"}, {"ultimate cut", K_EDITION, "Ultimate"},
	{"festival", K_EDITION, "Festival"}, {"alternative cut", K_EDITION, "Alternative Cut"},
	{"alternate cut", K_EDITION, "Alternative Cut"}, {"fan edit", K_EDITION, "Fan"},
	{"deluxe edition", K_EDITION, "Deluxe"}, {"final cut", K_EDITION, "Final Cut"},
	{"anniversary edition", K_EDITION, "Anniversary"}, {"edition collector", K_EDITION, "Collector"},
	{"dc", K_EDITION, "Director's Cut"}, {"ultimate fan collection", K_EDITION, "Ultimate"}, {"se", K_EDITION, "Special"},
	{"bdmux", K_SOURCE, "Blu-ray"}, {"brmux", K_SOURCE, "Blu-ray"}, {"bdripmux", K_SOURCE, "Blu-ray"},
	{"brripmux", K_SOURCE, "Blu-ray"}, {"web dlrip", K_SOURCE, "Web"}, {"webmux", K_SOURCE, "Web"},
	{"convert", K_OTHER, NULL}, {"stv", K_OTHER, NULL}, {"nfofix", K_OTHER, NULL},
	{"doku", K_OTHER, NULL}, {"swissgerman", K_LANG, "German"}, {"vo", K_OTHER, NULL},
	{"hdlight", K_OTHER, NULL}, {"dl", K_OTHER, NULL}, {"video ts", K_OTHER, NULL},
	{"fr", K_LANG, "French"}, {"français", K_LANG, "French"}, {"francais", K_LANG, "French"},
	{"sub", K_OTHER, NULL}, {"custom", K_OTHER, NULL}, {"ituneshd", K_SOURCE, "Web"},
	{"cc", K_OTHER, NULL}, {"nlsubs", K_OTHER, NULL}, {"esub", K_OTHER, NULL},
	{"extras", K_OTHER, NULL}, {"trailer", K_OTHER, NULL}, {"ost", K_OTHER, NULL},

	/* languages */
	{"english", K_LANG, "English"}, {"eng", K_LANG, "English"}, {"french", K_LANG, "French"},
	{"fre", K_LANG, "French"}, {"fra", K_LANG, "French"}, {"truefrench", K_LANG, "French"},
	{"vff", K_LANG, "French"}, {"vf", K_LANG, "French"}, {"vfq", K_LANG, "French"},
	{"vostfr", K_OTHER, NULL}, {"spanish", K_LANG, "Spanish"}, {"spa", K_LANG, "Spanish"},
	{"esp", K_LANG, "Spanish"}, {"castellano", K_LANG, "Spanish"}, {"german", K_LANG, "German"},
	{"ger", K_LANG, "German"}, {"deu", K_LANG, "German"}, {"italian", K_LANG, "Italian"},
	{"ita", K_LANG, "Italian"}, {"japanese", K_LANG, "Japanese"}, {"jpn", K_LANG, "Japanese"},
	{"russian", K_LANG, "Russian"}, {"rus", K_LANG, "Russian"}, {"korean", K_LANG, "Korean"},
	{"kor", K_LANG, "Korean"}, {"chinese", K_LANG, "Chinese"}, {"hindi", K_LANG, "Hindi"},
	{"portuguese", K_LANG, "Portuguese"}, {"dutch", K_LANG, "Dutch"}, {"swedish", K_LANG, "Swedish"},
	{"polish", K_LANG, "Polish"}, {"catalan", K_LANG, "Catalan"}, {"multi", K_LANG, "Multiple"},
	{"multilang", K_LANG, "Multiple"}, {"nordic", K_LANG, "Nordic"},

	/* other release noise */
	{"proper", K_OTHER, NULL}, {"repack", K_OTHER, NULL}, {"rerip", K_OTHER, NULL},
	{"internal", K_OTHER, NULL}, {"readnfo", K_OTHER, NULL}, {"read nfo", K_OTHER, NULL},
	{"dubbed", K_OTHER, NULL}, {"subbed", K_OTHER, NULL}, {"hardsub", K_OTHER, NULL},
	{"hardsubs", K_OTHER, NULL}, {"hc", K_OTHER, NULL}, {"hdrip", K_OTHER, NULL},
	{"hd rip", K_OTHER, NULL}, {"remux", K_OTHER, NULL}, {"hq", K_OTHER, NULL},
	{"10bit", K_OTHER, NULL}, {"10 bit", K_OTHER, NULL}, {"8bit", K_OTHER, NULL},
	{"hi10p", K_OTHER, NULL}, {"hi10", K_OTHER, NULL}, {"ws", K_OTHER, NULL},
	{"widescreen", K_OTHER, NULL}, {"fullscreen", K_OTHER, NULL}, {"r5", K_OTHER, NULL},
	{"r6", K_OTHER, NULL}, {"screener", K_OTHER, NULL}, {"scr", K_OTHER, NULL},
	{"dual audio", K_OTHER, NULL}, {"dual", K_OTHER, NULL}, {"3d", K_OTHER, NULL},
	{"hsbs", K_OTHER, NULL}, {"half sbs", K_OTHER, NULL}, {"sbs", K_OTHER, NULL},
	{"amzn", K_OTHER, NULL}, {"nf", K_OTHER, NULL}, {"hulu", K_OTHER, NULL},
	{"dsnp", K_OTHER, NULL}, {"hmax", K_OTHER, NULL}, {"atvp", K_OTHER, NULL},
	{"pal", K_OTHER, NULL}, {"secam", K_OTHER, NULL}, {"2in1", K_OTHER, NULL},
	{"xxx", K_OTHER, NULL}, {"hdrip", K_OTHER, NULL}, {"sample", K_OTHER, NULL},
	{"60fps", K_OTHER, NULL}, {"hfr", K_OTHER, NULL}, {"complete", K_OTHER, NULL},
	{"dubs", K_OTHER, NULL}, {"subs", K_OTHER, NULL}, {"rip", K_OTHER, NULL},
	{"dvdscreener", K_SOURCE, "DVD"}, {"fansub", K_OTHER, NULL}, {"fastsub", K_OTHER, NULL},
	{"ld", K_OTHER, NULL}, {"md", K_OTHER, NULL}, {"ts", K_SOURCE, "Telesync"},
	{"tc", K_SOURCE, "Telecine"}, {"hdtvx264", K_SOURCE, "HDTV"},
	{"5 1", K_OTHER, NULL}, {"7 1", K_OTHER, NULL}, {"2 0", K_OTHER, NULL}, {"5 1ch", K_OTHER, NULL},
	{"2ch", K_OTHER, NULL}, {"6ch", K_OTHER, NULL}, {"8ch", K_OTHER, NULL},
};

int tok_numx(const struct seg *g, int i)
{
	const char *t;
	size_t n, k = 0;
	int v = 0;

	if (i < 0 || i >= g->n)
		return -1;
	t = g->s + g->t[i].off;
	n = g->t[i].len;
	while (k < n && k < 5 && isdigit((unsigned char)t[k]))
		v = v * 10 + (t[k++] - '0');
	if (k == 0 || k > 4)
		return -1;
	if (k == n || t[k] == '&')
		return v;
	if ((t[k] == 'v' || t[k] == 'V') && k + 2 == n && isdigit((unsigned char)t[k + 1]))
		return v;
	if (k + 2 < n && !strncasecmp(t + k, "of", 2)) {
		for (size_t j = k + 2; j < n; j++)
			if (!isdigit((unsigned char)t[j]))
				return -1;
		return v;
	}
	return -1;
}

int tok_roman(const struct seg *g, int i)
{
	static const char *const romans[] = {"i",  "ii",  "iii",  "iv",  "v",  "vi", "vii",
					     "viii", "ix", "x",   "xi",   "xii", "xiii", "xiv",
					     "xv", "xvi", "xvii", "xviii", "xix", "xx"};
	for (int k = 0; k < 20; k++)
		if (tok_is(g, i, romans[k]))
			return k + 1;
	return -1;
}

int vocab_weak(const struct seg *g, int i)
{
	static const char *const weak[] = {
		"web", "dc", "se", "dv", "hd", "ts", "tc", "cam", "dm", "bd", "dd", "ld", "md", "hc",
		"ws", "pal", "nf", "multi", "dual", "limited", "us", "uk", "complete", "rip", "hdr",
		"proper", "internal", "extended", "uncut", "festival", "criterion", "remastered",
		"restored", "theatrical", "atmos", "opus", "real", "sample", "final", "ultimate",
		"lame", "hq", "vo", "part", "dl", "dolby", "mux", "sub", "custom", "cc", "avc", "imax", "unrated", NULL};
	if (g->t[i].kind == K_LANG)
		return 1;
	for (int k = 0; weak[k]; k++)
		if (tok_is(g, i, weak[k]))
			return 1;
	return 0;
}

int tok_is(const struct seg *g, int i, const char *w)
{
	size_t n = strlen(w);

	if (i < 0 || i >= g->n || g->t[i].len != n)
		return 0;
	return strncasecmp(g->s + g->t[i].off, w, n) == 0;
}

int tok_num(const struct seg *g, int i)
{
	int v = 0;

	if (i < 0 || i >= g->n || g->t[i].len == 0 || g->t[i].len > 9)
		return -1;
	for (uint16_t k = 0; k < g->t[i].len; k++) {
		char c = g->s[g->t[i].off + k];
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	return v;
}

/* Number of tokens from i that spell the words of w, 0 on a mismatch. */
static int words_match(const struct seg *g, int i, const char *w)
{
	int used = 0;

	while (*w) {
		const char *sp = strchr(w, ' ');
		size_t n = sp ? (size_t)(sp - w) : strlen(w);
		if (i + used >= g->n || g->t[i + used].len != n ||
		    strncasecmp(g->s + g->t[i + used].off, w, n) != 0)
			return 0;
		/* words of one entry must not span a bracket boundary */
		if (used && g->t[i + used].grp != g->t[i].grp)
			return 0;
		used++;
		w += n;
		while (*w == ' ')
			w++;
	}
	return used;
}

static void store(struct parsed_name *r, uint8_t kind, const char *v)
{
	const char **slot = NULL;

	switch (kind) {
	case K_SCREEN: slot = &r->screen_size; break;
	case K_SOURCE: slot = &r->source; break;
	case K_VCODEC: slot = &r->video_codec; break;
	case K_ACODEC: slot = &r->audio_codec; break;
	case K_HDR: slot = &r->hdr; break;
	case K_EDITION: slot = &r->edition; break;
	case K_LANG:
		for (int k = 0; k < r->language_count; k++)
			if (r->languages[k] == v)
				return;
		if (r->language_count < NAME_LANGS_MAX)
			r->languages[r->language_count++] = v;
		return;
	default: return;
	}
	if (!*slot)
		*slot = v;
}

/* "dd5", "aac2", "ddp51", "dts6": an audio codec with glued channel digits. */
static const char *audio_with_channels(const struct seg *g, int i)
{
	static const struct {
		const char *stem, *value;
	} stems[] = {{"ddp", "Dolby Digital Plus"}, {"dd", "Dolby Digital"}, {"aac", "AAC"},
		     {"dts", "DTS"}, {"eac3", "Dolby Digital Plus"}, {"ac3", "Dolby Digital"},
		     {"flac", "FLAC"}, {"opus", "Opus"}, {"truehd", "Dolby TrueHD"},
		     {"atmos", "Dolby Atmos"}};
	const char *t = g->s + g->t[i].off;
	size_t n = g->t[i].len;

	for (size_t k = 0; k < sizeof(stems) / sizeof(stems[0]); k++) {
		size_t sl = strlen(stems[k].stem);
		if (n <= sl || strncasecmp(t, stems[k].stem, sl) != 0)
			continue;
		size_t j = sl;
		while (j < n && isdigit((unsigned char)t[j]))
			j++;
		if (j == n && j > sl && j - sl <= 2)
			return stems[k].value;
	}
	return NULL;
}

/* A WxH resolution token like "1920x1080". */
static const char *wxh(const struct seg *g, int i)
{
	static const struct {
		int h;
		const char *v;
	} std[] = {{360, "360p"},   {480, "480p"},   {540, "540p"},   {576, "576p"}, {720, "720p"},
		   {1080, "1080p"}, {1440, "1440p"}, {2160, "2160p"}};
	const char *t = g->s + g->t[i].off;
	size_t n = g->t[i].len, x = 0;
	int w = 0, h = 0;

	while (x < n && x < 5 && isdigit((unsigned char)t[x]))
		w = w * 10 + (t[x++] - '0');
	if (x < 3 || x > 4 || x >= n || (t[x] != 'x' && t[x] != 'X' && t[x] != '*'))
		return NULL;
	size_t y = ++x;
	while (x < n && x - y < 5 && isdigit((unsigned char)t[x]))
		h = h * 10 + (t[x++] - '0');
	if (x != n || x - y < 3 || x - y > 4 || w < 200 || h < 200)
		return NULL;
	for (size_t k = 0; k < sizeof(std) / sizeof(std[0]); k++)
		if (std[k].h == h && w >= h)
			return std[k].v;
	return ""; /* a resolution, but no standard name for it */
}

int vocab_match(struct seg *g, int i, struct parsed_name *r)
{
	int best = 0;
	const struct vocab *bv = NULL;
	const char *v;

	for (size_t k = 0; k < sizeof(vocab) / sizeof(vocab[0]); k++) {
		int m = words_match(g, i, vocab[k].words);
		if (m > best) {
			best = m;
			bv = &vocab[k];
		}
	}
	if (bv) {
		if (best == 1 && (tok_is(g, i, "dd") || tok_is(g, i, "ddp")) &&
		    g->t[i].off + g->t[i].len < g->len && g->s[g->t[i].off + g->t[i].len] == '+')
			store(r, K_ACODEC, "Dolby Digital Plus"); /* "DD+5.1": '+' separates */
		if (tok_is(g, i, "dvdivx"))
			store(r, K_VCODEC, "DivX");
		store(r, bv->kind, bv->value);
		for (int k = 0; k < best; k++)
			g->t[i + k].kind = bv->kind;
	} else if ((v = audio_with_channels(g, i))) {
		store(r, K_ACODEC, v);
		g->t[i].kind = K_ACODEC;
		best = 1;
	} else if ((v = wxh(g, i))) {
		if (*v)
			store(r, K_SCREEN, v);
		g->t[i].kind = K_SCREEN;
		best = 1;
	} else {
		return 0;
	}
	/* channel layout after an audio codec: "DD5.1" -> "DD5" "1", "AAC 2.0" */
	if (g->t[i].kind == K_ACODEC) {
		int c = i + best;
		int n1 = tok_num(g, c);
		if (n1 >= 0 && g->t[c].len == 1 && !g->t[c].dash) {
			g->t[c].kind = K_ACODEC;
			best++;
			if (tok_num(g, c + 1) >= 0 && g->t[c + 1].len == 1 && !g->t[c + 1].dash &&
			    (n1 == 2 || n1 == 5 || n1 == 6 || n1 == 7)) {
				g->t[c + 1].kind = K_ACODEC;
				best++;
			}
		}
	}
	return best;
}

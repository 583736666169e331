import { describe, expect, it } from 'vitest';
import { audioCodecId, codecName, containerType, playability, videoCodecId, ProbedFile, CanPlay } from './codecs';
import {
  SAVE_INTERVAL_MS,
  afterSave,
  episodeCode,
  initialSaveState,
  parseStart,
  resumeOffer,
  resumeThreshold,
  shouldSave,
  wholeSeconds,
} from './progress';
import { parseSubRip, parseTimestamp, subtitleLabels, vttUrl } from './subtitles';
import { changed, countryCode, describeAgent, isParentalLock, toggleLanguage } from './account';
import { keyAction } from './keys';
import { ApiError } from '../../lib/api';
import { formatDuration, setLang, t } from '../../lib/i18n';
import '../../messages';

// What Debian's Chromium 156 answered for these types (measured): H.264,
// AV1, VP9, AAC, Opus, FLAC, MP3 in Matroska and MP4; no HEVC, AC-3, DTS,
// and nothing for AVI or MPEG-TS.
const chromium: CanPlay = (type) => {
  const m = /^([^;]+)(?:; codecs="([^"]+)")?$/.exec(type);
  if (!m) return '';
  const [, container, codec] = m;
  const containers: Record<string, string[]> = {
    'video/x-matroska': ['avc1.64001f', 'av01.0.08M.08', 'vp09.00.10.08', 'vp8', 'mp4a.40.2', 'opus', 'vorbis', 'flac', 'mp3'],
    'video/mp4': ['avc1.64001f', 'av01.0.08M.08', 'vp09.00.10.08', 'mp4a.40.2', 'opus', 'flac', 'mp3'],
    'video/webm': ['av01.0.08M.08', 'vp09.00.10.08', 'vp8', 'opus', 'vorbis'],
  };
  if (!containers[container]) return '';
  if (!codec) return 'maybe';
  return containers[container].includes(codec) ? 'probably' : '';
};

function file(p: Partial<ProbedFile>): ProbedFile {
  return { rel_path: 'Movie (2000)/Movie.mkv', container: 'matroska,webm', video_codec: 'h264', audio: [{ codec: 'aac' }], ...p };
}

describe('codecs', () => {
  it('maps ffprobe codec names to the strings canPlayType takes', () => {
    expect(videoCodecId('h264')).toBe('avc1.64001f');
    expect(videoCodecId('hevc')).toBe('hvc1.1.6.L93.B0');
    expect(videoCodecId('AV1')).toBe('av01.0.08M.08');
    expect(videoCodecId('vp9')).toBe('vp09.00.10.08');
    expect(videoCodecId('mpeg2video')).toBeNull();
    expect(videoCodecId('nonsense')).toBeNull();
    expect(audioCodecId('aac')).toBe('mp4a.40.2');
    expect(audioCodecId('opus')).toBe('opus');
    expect(audioCodecId('eac3')).toBe('ec-3');
    expect(audioCodecId(null)).toBeNull();
    expect(codecName('hevc', 'video')).toBe('HEVC');
    expect(codecName('ac3', 'audio')).toBe('AC-3');
    expect(codecName('weird', 'video')).toBe('WEIRD');
  });
  it('tells Matroska from WebM by the extension, and knows the other containers', () => {
    expect(containerType('matroska,webm', 'a/b.mkv')?.type).toBe('video/x-matroska');
    expect(containerType('matroska,webm', 'a/b.WEBM')?.type).toBe('video/webm');
    expect(containerType('mov,mp4,m4a,3gp,3g2,mj2', 'x.mov')?.type).toBe('video/mp4');
    expect(containerType(null, 'x.m4v')?.type).toBe('video/mp4');
    expect(containerType('mpegts', 'x.ts')?.name).toBe('MPEG-TS');
    expect(containerType('avi', 'x.avi')?.name).toBe('AVI');
    expect(containerType(null, 'x.bin')).toBeNull();
  });
  it('plays the demo clips (H.264 and AAC in Matroska)', () => {
    expect(playability(file({}), chromium)).toEqual({ verdict: 'yes', problems: [] });
  });
  it('refuses HEVC video and names it', () => {
    const r = playability(file({ video_codec: 'hevc' }), chromium);
    expect(r.verdict).toBe('no');
    expect(r.problems).toEqual([{ kind: 'video', name: 'HEVC' }]);
  });
  it('plays the picture of a file whose default audio it cannot decode', () => {
    const r = playability(file({ audio: [{ codec: 'aac' }, { codec: 'ac3', default: true }] }), chromium);
    expect(r.verdict).toBe('audio');
    expect(r.problems).toEqual([{ kind: 'audio', name: 'AC-3' }]);
    // the first track counts when none is the default
    expect(playability(file({ audio: [{ codec: 'aac' }, { codec: 'dts' }] }), chromium).verdict).toBe('yes');
  });
  it('refuses a container the browser has no demuxer for', () => {
    expect(playability(file({ rel_path: 'x.avi', container: 'avi' }), chromium)).toEqual({
      verdict: 'no',
      problems: [{ kind: 'container', name: 'AVI' }],
    });
  });
  it('says maybe for what it cannot judge, and refuses codecs no browser decodes', () => {
    expect(playability(file({ video_codec: 'somethingnew' }), chromium).verdict).toBe('maybe');
    expect(playability(file({ rel_path: 'x.bin', container: null }), chromium).verdict).toBe('maybe');
    expect(playability(file({ video_codec: 'mpeg2video' }), chromium).verdict).toBe('no');
    expect(playability(file({ video_codec: null, audio: [{ codec: 'ac3' }] }), chromium).verdict).toBe('no');
    expect(playability(file({ audio: null }), chromium).verdict).toBe('yes');
  });
  it('checks H.264 against WebM (which cannot carry it)', () => {
    expect(playability(file({ rel_path: 'x.webm' }), chromium).verdict).toBe('no');
  });
});

describe('progress reports', () => {
  const started = { ...initialSaveState(), started: true };
  it('reports nothing before playback started', () => {
    for (const r of ['tick', 'pause', 'seeked', 'leave', 'ended'] as const) expect(shouldSave(r, 42, initialSaveState(), 1e6)).toBe(false);
  });
  it('reports while playing at most every ten seconds', () => {
    const s = afterSave(started, 5, 1000);
    expect(shouldSave('tick', 9, s, 1000 + SAVE_INTERVAL_MS - 1)).toBe(false);
    expect(shouldSave('tick', 15, s, 1000 + SAVE_INTERVAL_MS)).toBe(true);
    // before any report the interval counts from the clock's zero
    expect(shouldSave('tick', 1, started, 500)).toBe(false);
    expect(shouldSave('tick', 1, started, SAVE_INTERVAL_MS)).toBe(true);
    // nor a tick at 0 (a play that just began)
    expect(shouldSave('tick', 0.3, started, SAVE_INTERVAL_MS)).toBe(false);
    expect(shouldSave('pause', 0.3, started, SAVE_INTERVAL_MS)).toBe(true);
  });
  it('reports pause, seek and leaving at once, but not the same second twice', () => {
    const s = afterSave(started, 12.2, 1000);
    expect(shouldSave('pause', 12.4, s, 1001)).toBe(false);
    expect(shouldSave('pause', 13.6, s, 1001)).toBe(true);
    expect(shouldSave('seeked', 300, s, 1001)).toBe(true);
    expect(shouldSave('leave', 12.1, s, 99999)).toBe(false);
    expect(shouldSave('leave', 20, s, 1002)).toBe(true);
  });
  it('always reports the end, which completes the play', () => {
    const s = afterSave(started, 100, 1000);
    expect(shouldSave('ended', 100, s, 1000)).toBe(true);
  });
  it('rounds positions to whole seconds', () => {
    expect(wholeSeconds(1.5)).toBe(2);
    expect(wholeSeconds(1.49)).toBe(1);
    expect(wholeSeconds(-3)).toBe(0);
    expect(wholeSeconds(NaN)).toBe(0);
  });
});

describe('resume', () => {
  it('offers a position past the threshold and before 90 %', () => {
    expect(resumeOffer(754, 5400)).toBe(754);
    expect(resumeOffer(29, 5400)).toBeNull();
    expect(resumeOffer(30, 5400)).toBe(30);
    expect(resumeOffer(4861, 5400)).toBeNull(); // 90.02 %
    expect(resumeOffer(4859, 5400)).toBe(4859);
    expect(resumeOffer(0, 5400)).toBeNull();
    expect(resumeOffer(null, 5400)).toBeNull();
  });
  it('scales the threshold to short files and keeps 30 s without a duration', () => {
    expect(resumeThreshold(4)).toBeCloseTo(0.4);
    expect(resumeThreshold(null)).toBe(30);
    expect(resumeOffer(2, 4.02)).toBe(2);
    expect(resumeOffer(4, 4.02)).toBeNull();
    expect(resumeOffer(100, null)).toBe(100);
    expect(resumeOffer(10, null)).toBeNull();
  });
  it('reads ?t= as seconds and ignores what is not a number', () => {
    expect(parseStart('90')).toBe(90);
    expect(parseStart('12.5')).toBe(12.5);
    expect(parseStart('0')).toBe(0);
    expect(parseStart('-4')).toBeNull();
    expect(parseStart('1e3')).toBeNull();
    expect(parseStart('')).toBeNull();
    expect(parseStart(null)).toBeNull();
  });
  it('words "resume from" with the time in every language', () => {
    expect(t('play.resume_from', { time: formatDuration(754) })).toBe('Resume from 12:34');
    expect(t('play.resume_from', { time: formatDuration(3725) })).toBe('Resume from 1:02:05');
    setLang('de');
    expect(t('play.resume_from', { time: formatDuration(754) })).toBe('Fortsetzen bei 12:34');
    setLang('en');
  });
  it('writes episode codes', () => {
    expect(episodeCode(1, 2)).toBe('S01E02');
    expect(episodeCode(0, 1)).toBe('S00E01');
    expect(episodeCode(12, 105)).toBe('S12E105');
  });
});

describe('subtitles', () => {
  it('adds format=vtt to the subtitle URL', () => {
    expect(vttUrl('/api/v1/movies/a/files/b/subtitles/0')).toBe('/api/v1/movies/a/files/b/subtitles/0?format=vtt');
    expect(vttUrl('/x?y=1')).toBe('/x?y=1&format=vtt');
  });
  it('parses SubRip timestamps and cues, dropping markup', () => {
    expect(parseTimestamp('00:01:02,500')).toBe(62.5);
    expect(parseTimestamp('01:02.5')).toBe(62.5);
    expect(parseTimestamp('1:00:00.000')).toBe(3600);
    expect(parseTimestamp('soon')).toBeNaN();
    const srt = '\uFEFF1\r\n00:00:00,500 --> 00:00:02,000\r\n<i>Nosferatu</i>, a symphony\r\nof horror\r\n\r\n2\r\n00:00:02,000 --> 00:00:03,800 X1:0\r\n{\\an8}(a demo clip)\r\n\r\n3\r\nbroken --> 00:00:09,000\r\nskipped\r\n';
    expect(parseSubRip(srt)).toEqual([
      { start: 0.5, end: 2, text: 'Nosferatu, a symphony\nof horror' },
      { start: 2, end: 3.8, text: '(a demo clip)' },
    ]);
  });
  it('labels tracks by language, numbering repeats', () => {
    const subs = [
      { index: 0, language: 'en', forced: false, format: 'srt', url: '' },
      { index: 1, language: 'en', forced: false, format: 'ass', url: '' },
      { index: 2, language: 'de', forced: true, format: 'srt', url: '' },
      { index: 3, language: null, forced: false, format: 'srt', url: '' },
    ];
    expect(subtitleLabels(subs, 'en', 'Unknown', 'forced')).toEqual(['English', 'English 2', 'German (forced)', 'Unknown']);
    expect(subtitleLabels(subs.slice(0, 1), 'de', '?', 'erzwungen')).toEqual(['Englisch']);
  });
});

describe('account helpers', () => {
  it('recognises the refusal of a locked parental limit', () => {
    expect(isParentalLock(new ApiError(403, { field: 'max_age_rating' }))).toBe(true);
    expect(isParentalLock(new ApiError(403, { field: 'theme' }))).toBe(false);
    expect(isParentalLock(new ApiError(400, { field: 'rating_country' }))).toBe(false);
    expect(isParentalLock(new Error('x'))).toBe(false);
  });
  it('sends only the changed fields', () => {
    expect(changed({ a: 1, b: 'x', c: null as number | null }, { a: 1, b: 'y', c: 3 })).toEqual({ b: 'y', c: 3 });
    expect(changed({ l: ['en'] }, { l: ['en'] })).toEqual({});
  });
  it('normalises country codes', () => {
    expect(countryCode(' de ')).toBe('DE');
    expect(countryCode('DEU')).toBeNull();
    expect(countryCode('d1')).toBeNull();
  });
  it('toggles languages keeping their order', () => {
    expect(toggleLanguage(['de', 'en'], 'fr', true)).toEqual(['de', 'en', 'fr']);
    expect(toggleLanguage(['de', 'en'], 'de', false)).toEqual(['en']);
    expect(toggleLanguage(['de', 'en'], 'de', true)).toEqual(['en', 'de']);
  });
  it('describes browsers from their user agents', () => {
    const chromeLinux = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
    expect(describeAgent(chromeLinux)).toEqual({ browser: 'Chrome', os: 'Linux' });
    expect(describeAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36 Edg/120')).toEqual({ browser: 'Edge', os: 'Windows' });
    expect(describeAgent('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36')).toEqual({ browser: 'Chrome', os: 'Android' });
    expect(describeAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605 Version/17.0 Mobile/15E148 Safari/604.1')).toEqual({ browser: 'Safari', os: 'iOS' });
    expect(describeAgent('curl/7.88.1')).toEqual({ browser: 'curl', os: null });
    expect(describeAgent(null)).toEqual({ browser: null, os: null });
  });
});

describe('player keys', () => {
  it('maps keys to actions', () => {
    expect(keyAction(' ')).toBe('toggle');
    expect(keyAction('ArrowLeft')).toBe('back');
    expect(keyAction('ArrowRight')).toBe('forward');
    expect(keyAction('F')).toBe('fullscreen');
    expect(keyAction('m')).toBe('mute');
    expect(keyAction('Enter')).toBeNull();
  });
});

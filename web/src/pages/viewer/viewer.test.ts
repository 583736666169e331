import { describe, expect, it } from 'vitest';
import {
  activeFilters,
  applyChange,
  clearFilters,
  defaultOrder,
  effectiveOrder,
  listQuery,
  parseFilters,
  resetKey,
  toHashParams,
} from './filters';
import { comboKey, comboOptions, entryPath, episodeCode, groupHits, mergeSuggestions } from './search-logic';
import { episodeTitle, fileFacts, progressOf, resumePosition, seasonName, versionName } from './format';
import { mergeContinue, needsDuration, progressPath } from './rows';
import { setLang } from '../../lib/i18n';
import type { EpisodeItem, MediaFile, MovieItem, MultiHit, SeriesItem } from './types';
import '../../messages';

const q = (s: string) => new URLSearchParams(s);

function movie(id: string, extra: Partial<MovieItem> = {}): MovieItem {
  return { id, title: 'M' + id, year: 2000, runtime: null, poster_url: null, user_data: null, ...extra };
}
function series(id: string): SeriesItem {
  return { id, title: 'S' + id, year: 1962, poster_url: null };
}
function episode(id: string, extra: Partial<EpisodeItem> = {}): EpisodeItem {
  return {
    id,
    series_id: 's',
    series_title: 'Show',
    season_id: 'x',
    season_number: 1,
    episode_number: 2,
    title: null,
    overview: null,
    air_date: null,
    runtime: null,
    still_url: null,
    series_poster_url: '/images/p.jpg',
    has_file: true,
    user_data: null,
    ...extra,
  };
}

describe('browse filters from the hash query', () => {
  it('reads a full movie query', () => {
    expect(parseFilters('movies', q('sort=title&order=desc&genre=18&year_min=1920&year_max=1960&rating_min=7.5&resolution=1080p&has_file=true&limit=2'))).toEqual({
      sort: 'title',
      order: 'desc',
      genre: '18',
      year_min: 1920,
      year_max: 1960,
      rating_min: '7.5',
      resolution: '1080p',
      has_file: 'true',
      limit: 2,
    });
  });
  it('drops what the server would refuse and defaults the sort', () => {
    const st = parseFilters('movies', q('sort=runtimez&order=up&year_min=99&rating_min=11&resolution=8k&limit=500&status=Ended'));
    expect(st).toEqual({ sort: 'added' });
  });
  it('keeps kind-specific fields apart', () => {
    expect(parseFilters('tvshows', q('sort=runtime&status=Ended&resolution=720p'))).toEqual({ sort: 'added', status: 'Ended' });
    expect(parseFilters('movies', q('sort=runtime')).sort).toBe('runtime');
  });
  it('swaps a reversed year range and drops a resolution with has_file=false', () => {
    const st = parseFilters('movies', q('year_min=1970&year_max=1930&resolution=720p&has_file=false'));
    expect(st.year_min).toBe(1930);
    expect(st.year_max).toBe(1970);
    expect(st.resolution).toBeUndefined();
  });
});

describe('browse filters to URLs', () => {
  it('leaves defaults out of the hash', () => {
    expect(toHashParams({ sort: 'added', order: 'desc' })).toEqual({});
    expect(toHashParams({ sort: 'title', order: 'asc' })).toEqual({ sort: 'title' });
    expect(toHashParams({ sort: 'title', order: 'desc', genre: '18' })).toEqual({ sort: 'title', order: 'desc', genre: '18' });
  });
  it('round-trips through the hash', () => {
    const st = { sort: 'year', order: 'desc' as const, year_min: 1930, has_file: 'true' as const, limit: 3 };
    expect(parseFilters('movies', new URLSearchParams(toHashParams(st) as Record<string, string>))).toEqual(st);
  });
  it('knows each sort’s natural direction', () => {
    expect(defaultOrder('added')).toBe('desc');
    expect(defaultOrder('rating')).toBe('desc');
    expect(defaultOrder('popularity')).toBe('desc');
    expect(defaultOrder('title')).toBe('asc');
    expect(effectiveOrder({ sort: 'year' })).toBe('asc');
    expect(effectiveOrder({ sort: 'year', order: 'desc' })).toBe('desc');
  });
  it('builds the list query with the effective order and the cursor', () => {
    expect(listQuery({ sort: 'title', genre: 'Drama' }, null)).toBe('?limit=30&sort=title&order=asc&genre=Drama');
    expect(listQuery({ sort: 'added', limit: 2 }, 'abc=')).toBe('?limit=2&cursor=abc%3D&sort=added&order=desc');
  });
  it('starts the grid over only when the list changes', () => {
    expect(resetKey('movies', { sort: 'title' })).toBe(resetKey('movies', { sort: 'title', order: 'asc' }));
    expect(resetKey('movies', { sort: 'title' })).not.toBe(resetKey('tvshows', { sort: 'title' }));
    expect(resetKey('movies', { sort: 'title' })).not.toBe(resetKey('movies', { sort: 'title', year_min: 1950 }));
  });
});

describe('browse filter changes', () => {
  it('a new sort forgets the old direction', () => {
    expect(applyChange({ sort: 'title', order: 'desc' }, { sort: 'year' })).toEqual({ sort: 'year' });
    expect(applyChange({ sort: 'title', order: 'desc' }, { sort: 'title' })).toEqual({ sort: 'title', order: 'desc' });
    expect(applyChange({ sort: 'title' }, { sort: 'rating', order: 'asc' })).toEqual({ sort: 'rating', order: 'asc' });
  });
  it('removes a filter set to undefined and keeps the rest', () => {
    expect(applyChange({ sort: 'added', genre: '18', year_min: 1920 }, { genre: undefined })).toEqual({ sort: 'added', year_min: 1920 });
  });
  it('"without files" drops the resolution', () => {
    expect(applyChange({ sort: 'added', resolution: '720p' }, { has_file: 'false' })).toEqual({ sort: 'added', has_file: 'false' });
  });
  it('counts and clears filters but keeps the sort and page size', () => {
    const st = { sort: 'title', order: 'desc' as const, genre: '1', year_max: 1960, status: 'Ended', limit: 4 };
    expect(activeFilters(st)).toBe(3);
    expect(clearFilters(st)).toEqual({ sort: 'title', order: 'desc', limit: 4 });
    expect(activeFilters(clearFilters(st))).toBe(0);
  });
});

describe('search results and suggestions', () => {
  const hits: MultiHit[] = [
    { type: 'series', score: 3, item: series('s1') },
    { type: 'movie', score: 2.5, item: movie('m1') },
    { type: 'episode', score: 2.4, item: episode('e1', { title: 'Pilot' }) },
    { type: 'movie', score: 2, item: movie('m2') },
    { type: 'episode', score: 1, item: episode('e2') },
  ];
  it('groups multi-search hits by type in rank order', () => {
    const g = groupHits(hits);
    expect(g.movies.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(g.series.map((s) => s.id)).toEqual(['s1']);
    expect(g.episodes.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(groupHits([])).toEqual({ movies: [], series: [], episodes: [] });
  });
  it('puts title suggestions first, then series and episodes, without duplicates', () => {
    const list = mergeSuggestions([{ id: 'm2', title: 'Nosferatu', year: 1922, poster_url: '/images/n.jpg' }], hits);
    expect(list.map((e) => e.key)).toEqual(['movie:m2', 'series:s1', 'episode:e1', 'episode:e2']);
    expect(list[0]).toMatchObject({ title: 'Nosferatu', detail: '1922', image: '/images/n.jpg' });
    expect(list[2]).toMatchObject({ title: 'Pilot', detail: 'Show · S01E02', image: '/images/p.jpg' });
    expect(list[3].title).toBe('S01E02');
  });
  it('falls back to the multi search’s movies when autocomplete found none', () => {
    expect(mergeSuggestions([], hits).map((e) => e.key)).toEqual(['movie:m1', 'movie:m2', 'series:s1', 'episode:e1', 'episode:e2']);
  });
  it('caps the list', () => {
    expect(mergeSuggestions([], hits, 3)).toHaveLength(3);
  });
  it('links each type to its page', () => {
    expect(entryPath({ type: 'movie', id: 'a' })).toBe('/movies/a');
    expect(entryPath({ type: 'series', id: 'b' })).toBe('/tvshows/b');
    expect(entryPath({ type: 'episode', id: 'c' })).toBe('/tvshows/episodes/c');
  });
});

describe('search box keyboard', () => {
  const closed = { open: false, active: -1 };
  it('opens on arrow down and wraps around', () => {
    let r = comboKey(closed, 'ArrowDown', 3);
    expect(r.state).toEqual({ open: true, active: 0 });
    r = comboKey({ open: true, active: 2 }, 'ArrowDown', 3);
    expect(r.state.active).toBe(0);
    r = comboKey({ open: true, active: 0 }, 'ArrowUp', 3);
    expect(r.state.active).toBe(2);
    expect(comboKey(closed, 'ArrowUp', 3).state).toEqual({ open: true, active: 2 });
  });
  it('leaves arrows alone without options', () => {
    expect(comboKey(closed, 'ArrowDown', 0).handled).toBe(false);
  });
  it('Enter chooses the highlighted option, else searches', () => {
    expect(comboKey({ open: true, active: 1 }, 'Enter', 3).action).toBe('choose');
    expect(comboKey({ open: true, active: -1 }, 'Enter', 3).action).toBe('submit');
    expect(comboKey({ open: false, active: 1 }, 'Enter', 3).action).toBe('submit');
    expect(comboKey({ open: true, active: 5 }, 'Enter', 3).action).toBe('submit');
  });
  it('Escape closes first, then clears', () => {
    const r = comboKey({ open: true, active: 1 }, 'Escape', 3);
    expect(r.state).toEqual(closed);
    expect(r.action).toBeNull();
    expect(comboKey(closed, 'Escape', 3).action).toBe('clear');
  });
  it('other keys pass through', () => {
    expect(comboKey(closed, 'a', 3)).toEqual({ state: closed, action: null, handled: false });
  });
  it('new options open the list only while focused, with no highlight', () => {
    expect(comboOptions(4, true)).toEqual({ open: true, active: -1 });
    expect(comboOptions(4, false).open).toBe(false);
    expect(comboOptions(0, true).open).toBe(false);
  });
});

describe('viewer formatting', () => {
  it('codes and names episodes and seasons', () => {
    setLang('en');
    expect(episodeCode(1, 2)).toBe('S01E02');
    expect(episodeCode(12, 105)).toBe('S12E105');
    expect(episodeTitle({ title: null, episode_number: 3 })).toBe('Episode 3');
    expect(episodeTitle({ title: 'Pilot', episode_number: 1 })).toBe('Pilot');
    expect(seasonName({ name: null, season_number: 0 })).toBe('Specials');
    expect(seasonName({ name: null, season_number: 2 })).toBe('Season 2');
    setLang('de');
    expect(seasonName({ name: null, season_number: 2 })).toBe('Staffel 2');
    setLang('en');
  });
  it('computes progress only when it is known', () => {
    expect(progressOf(30, 120)).toBe(0.25);
    expect(progressOf(500, 120)).toBe(1);
    expect(progressOf(0, 120)).toBeUndefined();
    expect(progressOf(30, null)).toBeUndefined();
  });
  it('offers resume only for a started, unfinished item', () => {
    expect(resumePosition({ position_seconds: 42, watched: false, play_count: 0, last_played_at: null })).toBe(42);
    expect(resumePosition({ position_seconds: 42, watched: true, play_count: 1, last_played_at: null })).toBeUndefined();
    expect(resumePosition({ position_seconds: 0, watched: false, play_count: 0, last_played_at: null })).toBeUndefined();
    expect(resumePosition(null)).toBeUndefined();
  });
  it('describes a file', () => {
    const f: MediaFile = {
      id: 'f',
      size: 41201,
      container: 'matroska,webm',
      duration_ms: 4021,
      video_codec: 'h264',
      width: 1280,
      height: 720,
      resolution: '720p',
      dynamic_range: 'SDR',
      audio: [{ codec: 'aac', channels: 1, layout: 'mono', language: 'eng' }],
      embedded_subtitles: [{ language: 'eng' }],
      subtitles: [{ language: 'eng' }, { language: 'ger' }],
      version: '720p',
    };
    expect(fileFacts(f)).toEqual({
      resolution: '720p (1280×720)',
      video: 'H264',
      audio: 'AAC mono (eng)',
      subtitles: 'eng, ger',
      size: '40.2 KB',
      duration: '0:04',
    });
    expect(fileFacts({ ...f, dynamic_range: 'HDR10', resolution: '2160p', audio: null, width: null }).video).toBe('H264 HDR10');
    expect(fileFacts({ ...f, resolution: '2160p', width: null }).resolution).toBe('4K');
  });
  it('names versions by label, resolution, then number', () => {
    expect(versionName('Director’s cut', '1080p', 0)).toBe('Director’s cut');
    expect(versionName(null, 'sd', 0)).toBe('SD');
    expect(versionName(null, null, 1)).toBe('Version 2');
  });
});

describe('continue watching row', () => {
  it('merges movies and episodes newest first and keeps ties stable', () => {
    const ms = [
      movie('a', { runtime: 100, user_data: { position_seconds: 1500, watched: false, play_count: 0, last_played_at: '2026-01-02T10:00:00.000Z' } }),
      movie('b', { user_data: { position_seconds: 60, watched: false, play_count: 0, last_played_at: '2026-01-01T10:00:00.000Z' } }),
    ];
    const es = [
      episode('e', { runtime: 30, user_data: { position_seconds: 900, watched: false, play_count: 0, last_played_at: '2026-01-03T10:00:00.000Z' } }),
      episode('f', { user_data: { position_seconds: 10, watched: false, play_count: 0, last_played_at: '2026-01-01T10:00:00.000Z' } }),
    ];
    const rows = mergeContinue(ms, es);
    expect(rows.map((r) => r.item.id)).toEqual(['e', 'a', 'b', 'f']);
    expect(rows[0].progress).toBe(0.5);
    expect(rows[1].progress).toBe(0.25);
    expect(needsDuration(rows).map((r) => r.item.id)).toEqual(['b', 'f']);
    expect(progressPath(rows[2])).toBe('/movies/b/progress');
    expect(progressPath(rows[3])).toBe('/tvshows/episodes/f/progress');
  });
});

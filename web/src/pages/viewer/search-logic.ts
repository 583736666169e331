// Search without the DOM: grouping GET /search/multi hits by kind, merging
// movie title suggestions with series and episode hits into one list, and
// the suggestion list's keyboard handling (ARIA combobox: arrows move, Enter
// chooses or searches, Escape closes and then clears).
import type { EpisodeItem, MovieItem, MultiHit, SeriesItem, Suggestion } from './types';

export interface Grouped {
  movies: MovieItem[];
  series: SeriesItem[];
  episodes: EpisodeItem[];
}

/** Hits split by type, each group in the server's rank order. */
export function groupHits(hits: readonly MultiHit[]): Grouped {
  const g: Grouped = { movies: [], series: [], episodes: [] };
  for (const h of hits) {
    if (h.type === 'movie') g.movies.push(h.item);
    else if (h.type === 'series') g.series.push(h.item);
    else if (h.type === 'episode') g.episodes.push(h.item);
  }
  return g;
}

export type EntryType = 'movie' | 'series' | 'episode';

export interface Entry {
  key: string;
  type: EntryType;
  id: string;
  title: string;
  /** the year, or the series an episode belongs to */
  detail?: string;
  image: string | null;
}

export function entryPath(e: Pick<Entry, 'type' | 'id'>): string {
  if (e.type === 'movie') return `/movies/${e.id}`;
  if (e.type === 'series') return `/tvshows/${e.id}`;
  return `/tvshows/episodes/${e.id}`;
}

/** 'S01E02' */
export function episodeCode(season: number, episode: number): string {
  return `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
}

/**
 * The suggestions shown while typing: movie titles from the autocomplete
 * route first (they match the typed prefix best), then series and episodes
 * from the multi search in its rank order. When the autocomplete found no
 * movie (a typo it cannot forgive), the multi search's movies fill in.
 * No entry twice; at most `max`.
 */
export function mergeSuggestions(
  movies: readonly Suggestion[],
  hits: readonly MultiHit[],
  max = 8,
  episodeTitle: (e: EpisodeItem) => string = (e) => e.title ?? episodeCode(e.season_number, e.episode_number),
): Entry[] {
  const out: Entry[] = [];
  const seen = new Set<string>();
  const add = (e: Entry) => {
    if (out.length >= max || seen.has(e.key)) return;
    seen.add(e.key);
    out.push(e);
  };
  const movie = (m: Suggestion | MovieItem) =>
    add({ key: 'movie:' + m.id, type: 'movie', id: m.id, title: m.title, detail: m.year ? String(m.year) : undefined, image: m.poster_url });
  movies.forEach(movie);
  if (movies.length === 0) hits.forEach((h) => h.type === 'movie' && movie(h.item));
  for (const h of hits) {
    if (h.type === 'series') {
      const s = h.item;
      add({ key: 'series:' + s.id, type: 'series', id: s.id, title: s.title, detail: s.year ? String(s.year) : undefined, image: s.poster_url });
    } else if (h.type === 'episode') {
      const e = h.item;
      add({
        key: 'episode:' + e.id,
        type: 'episode',
        id: e.id,
        title: episodeTitle(e),
        detail: `${e.series_title} · ${episodeCode(e.season_number, e.episode_number)}`,
        image: e.still_url ?? e.series_poster_url,
      });
    }
  }
  return out;
}

export interface ComboState {
  open: boolean;
  /** the highlighted option, -1 for none */
  active: number;
}

export type ComboAction = 'choose' | 'submit' | 'clear' | null;

/**
 * One key press in the search box. `count` is the number of options shown.
 * Returns the next state, the action the page takes, and whether the key
 * was ours (then its default is prevented).
 */
export function comboKey(
  st: ComboState,
  key: string,
  count: number,
): { state: ComboState; action: ComboAction; handled: boolean } {
  switch (key) {
    case 'ArrowDown':
      if (count === 0) return { state: st, action: null, handled: false };
      if (!st.open) return { state: { open: true, active: 0 }, action: null, handled: true };
      return { state: { open: true, active: st.active + 1 >= count ? 0 : st.active + 1 }, action: null, handled: true };
    case 'ArrowUp':
      if (count === 0) return { state: st, action: null, handled: false };
      if (!st.open) return { state: { open: true, active: count - 1 }, action: null, handled: true };
      return { state: { open: true, active: st.active <= 0 ? count - 1 : st.active - 1 }, action: null, handled: true };
    case 'Enter':
      if (st.open && st.active >= 0 && st.active < count) return { state: { open: false, active: -1 }, action: 'choose', handled: true };
      return { state: { open: false, active: -1 }, action: 'submit', handled: true };
    case 'Escape':
      if (st.open) return { state: { open: false, active: -1 }, action: null, handled: true };
      return { state: st, action: 'clear', handled: true };
    default:
      return { state: st, action: null, handled: false };
  }
}

/** The state after new options arrived while typing: no highlight, open if any. */
export function comboOptions(count: number, focused: boolean): ComboState {
  return { open: focused && count > 0, active: -1 };
}

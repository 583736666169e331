// The home page's "continue watching" row: movies and episodes the user
// stopped in, in one list, most recently played first.
import { progressOf } from './format';
import type { EpisodeItem, MovieItem } from './types';

export type ContinueEntry =
  | { kind: 'movie'; item: MovieItem; at: string; progress?: number }
  | { kind: 'episode'; item: EpisodeItem; at: string; progress?: number };

/**
 * Movies and episodes merged by last_played_at, newest first (ties keep
 * movies before episodes, each list in its own order). The progress comes
 * from the runtime when the item has one; `needsDuration` lists the rest.
 */
export function mergeContinue(movies: readonly MovieItem[], episodes: readonly EpisodeItem[]): ContinueEntry[] {
  const all: ContinueEntry[] = [
    ...movies.map((m): ContinueEntry => ({
      kind: 'movie',
      item: m,
      at: m.user_data?.last_played_at ?? '',
      progress: progressOf(m.user_data?.position_seconds, m.runtime ? m.runtime * 60 : null),
    })),
    ...episodes.map((e): ContinueEntry => ({
      kind: 'episode',
      item: e,
      at: e.user_data?.last_played_at ?? '',
      progress: progressOf(e.user_data?.position_seconds, e.runtime ? e.runtime * 60 : null),
    })),
  ];
  // a stable sort: equal times keep the order above
  return all
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.at === b.e.at ? a.i - b.i : a.e.at < b.e.at ? 1 : -1))
    .map((x) => x.e);
}

/** The entries whose progress the lists could not give (no runtime). */
export function needsDuration(entries: readonly ContinueEntry[]): ContinueEntry[] {
  return entries.filter((e) => e.progress === undefined && (e.item.user_data?.position_seconds ?? 0) > 0);
}

/** The progress path of an entry: GET …/progress answers with `percent`. */
export function progressPath(e: ContinueEntry): string {
  return e.kind === 'movie' ? `/movies/${e.item.id}/progress` : `/tvshows/episodes/${e.item.id}/progress`;
}

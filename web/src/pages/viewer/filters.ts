// The browse pages' filter and sort state. It lives in the hash query
// (#/movies?sort=title&genre=18), so reload, back and forward keep it; this
// module turns that query into a checked state, the state back into the
// hash, and the state into the list route's query. What the server would
// refuse (an unknown sort, a year out of range, year_min above year_max) is
// dropped or mended here, so a hand-edited URL still shows a page.
import { query } from '../../lib/api';

export type Kind = 'movies' | 'tvshows';
export type Order = 'asc' | 'desc';

export interface FilterState {
  sort: string;
  order?: Order;
  genre?: string;
  year_min?: number;
  year_max?: number;
  /** movies only: vote average at least this, '0'..'10' */
  rating_min?: string;
  /** movies only */
  resolution?: string;
  /** series only: TMDb status */
  status?: string;
  has_file?: 'true' | 'false';
  /** page size; not in the form, for tests and small screens */
  limit?: number;
}

export const SORTS: Record<Kind, readonly string[]> = {
  movies: ['added', 'title', 'year', 'rating', 'popularity', 'runtime'],
  tvshows: ['added', 'title', 'year', 'rating', 'popularity'],
};
export const DEFAULT_SORT = 'added';
export const RESOLUTIONS = ['2160p', '1080p', '720p', 'sd'] as const;
export const STATUSES = ['Returning Series', 'Ended', 'Canceled', 'In Production', 'Planned'] as const;
export const RATINGS = ['5', '6', '7', '8', '9'] as const;
/** grid page size when the query names none */
export const PAGE_SIZE = 30;

const YEAR_MIN = 1800;
const YEAR_MAX = 2200;

/** The server's default direction of a sort (docs/openapi.yaml, GET /movies). */
export function defaultOrder(sort: string): Order {
  return sort === 'added' || sort === 'rating' || sort === 'popularity' ? 'desc' : 'asc';
}

function intIn(s: string | null, lo: number, hi: number): number | undefined {
  if (s === null || !/^\d{1,7}$/.test(s)) return undefined;
  const n = Number(s);
  return n >= lo && n <= hi ? n : undefined;
}

/** The filter state a hash query names; what is not valid for the kind is left out. */
export function parseFilters(kind: Kind, q: URLSearchParams): FilterState {
  const sortRaw = q.get('sort');
  const sort = sortRaw && SORTS[kind].includes(sortRaw) ? sortRaw : DEFAULT_SORT;
  const st: FilterState = { sort };
  const order = q.get('order');
  if (order === 'asc' || order === 'desc') st.order = order;
  const genre = q.get('genre');
  if (genre && genre.length <= 64) st.genre = genre;
  st.year_min = intIn(q.get('year_min'), YEAR_MIN, YEAR_MAX);
  st.year_max = intIn(q.get('year_max'), YEAR_MIN, YEAR_MAX);
  if (st.year_min !== undefined && st.year_max !== undefined && st.year_min > st.year_max) {
    [st.year_min, st.year_max] = [st.year_max, st.year_min];
  }
  const hasFile = q.get('has_file');
  if (hasFile === 'true' || hasFile === 'false') st.has_file = hasFile;
  if (kind === 'movies') {
    const r = q.get('rating_min');
    if (r && /^(10|\d)(\.\d)?$/.test(r) && Number(r) <= 10) st.rating_min = r;
    const res = q.get('resolution');
    if (res && (RESOLUTIONS as readonly string[]).includes(res) && st.has_file !== 'false') st.resolution = res;
  } else {
    const s = q.get('status');
    if (s && s.length <= 64) st.status = s;
  }
  st.limit = intIn(q.get('limit'), 1, 100);
  return clean(st);
}

function clean(st: FilterState): FilterState {
  const out = { ...st } as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined || out[k] === '') delete out[k];
  return out as unknown as FilterState;
}

/** The hash query of a state: defaults left out, so the plain page has a plain URL. */
export function toHashParams(st: FilterState): Record<string, string | undefined> {
  const p: Record<string, string | undefined> = {};
  if (st.sort !== DEFAULT_SORT) p.sort = st.sort;
  if (st.order && st.order !== defaultOrder(st.sort)) p.order = st.order;
  if (st.genre) p.genre = st.genre;
  if (st.year_min !== undefined) p.year_min = String(st.year_min);
  if (st.year_max !== undefined) p.year_max = String(st.year_max);
  if (st.rating_min) p.rating_min = st.rating_min;
  if (st.resolution) p.resolution = st.resolution;
  if (st.status) p.status = st.status;
  if (st.has_file) p.has_file = st.has_file;
  if (st.limit !== undefined) p.limit = String(st.limit);
  return p;
}

/**
 * The state after the user changed some fields. A new sort forgets the
 * direction (each sort has its natural one); "without files" cannot go with
 * a resolution.
 */
export function applyChange(st: FilterState, patch: Partial<FilterState>): FilterState {
  const next: FilterState = { ...st, ...patch };
  if (patch.sort !== undefined && patch.sort !== st.sort && patch.order === undefined) delete next.order;
  if (next.has_file === 'false') delete next.resolution;
  if (next.year_min !== undefined && next.year_max !== undefined && next.year_min > next.year_max) {
    [next.year_min, next.year_max] = [next.year_max, next.year_min];
  }
  return clean(next);
}

/** The effective direction: the chosen one, else the sort's default. */
export function effectiveOrder(st: FilterState): Order {
  return st.order ?? defaultOrder(st.sort);
}

/** How many filters (not the sort) are set, for the "clear" button. */
export function activeFilters(st: FilterState): number {
  return (['genre', 'year_min', 'year_max', 'rating_min', 'resolution', 'status', 'has_file'] as const).filter(
    (k) => st[k] !== undefined,
  ).length;
}

/** The state with every filter removed and the sort kept. */
export function clearFilters(st: FilterState): FilterState {
  return clean({ sort: st.sort, order: st.order, limit: st.limit });
}

/** The list route's query for one page (GET /movies or /tvshows). */
export function listQuery(st: FilterState, cursor: string | null): string {
  return query({
    limit: st.limit ?? PAGE_SIZE,
    cursor,
    sort: st.sort,
    order: effectiveOrder(st),
    genre: st.genre,
    year_min: st.year_min,
    year_max: st.year_max,
    rating_min: st.rating_min,
    resolution: st.resolution,
    status: st.status,
    has_file: st.has_file,
  });
}

/** A key that changes whenever the list must start over. */
export function resetKey(kind: Kind, st: FilterState): string {
  return kind + listQuery(st, null);
}

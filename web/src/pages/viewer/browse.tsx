// The movie and series grids: filters and sort from the hash query, pages
// loaded as the grid's end scrolls into view.
import { Page } from '../../lib/api';
import { formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { navigate } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { InfiniteGrid } from '../../components/common';
import {
  activeFilters,
  applyChange,
  clearFilters,
  effectiveOrder,
  FilterState,
  Kind,
  listQuery,
  parseFilters,
  RATINGS,
  RESOLUTIONS,
  resetKey,
  SORTS,
  STATUSES,
  toHashParams,
} from './filters';
import { MovieCard } from './movie';
import { SeriesCard } from './series';
import { useTitle } from './parts';
import type { Genre, MovieItem, SeriesItem } from './types';
import './viewer.css';

function yearValue(s: string): number | undefined {
  return /^\d{4}$/.test(s.trim()) ? Number(s.trim()) : undefined;
}

function Filters({
  kind,
  st,
  set,
  clear,
}: {
  kind: Kind;
  st: FilterState;
  set: (patch: Partial<FilterState>) => void;
  clear: () => void;
}) {
  const genres = useLoad(
    (signal) => get<Page<Genre>>(kind === 'movies' ? '/genres?limit=100' : '/tvshows/genres?limit=100', signal),
    [kind],
  );
  const list = genres.data?.items ?? [];
  const n = activeFilters(st);
  const sel = (v: string) => (v === '' ? undefined : v);
  return (
    <div class="browse-controls">
      <div class="toolbar">
        <label>
          {t('browse.sort')}
          <select value={st.sort} onChange={(e) => set({ sort: (e.target as HTMLSelectElement).value })}>
            {SORTS[kind].map((s) => (
              <option key={s} value={s}>
                {t('browse.sort_' + s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('browse.order')}
          <select value={effectiveOrder(st)} onChange={(e) => set({ order: (e.target as HTMLSelectElement).value as 'asc' | 'desc' })}>
            <option value="asc">{t('browse.asc')}</option>
            <option value="desc">{t('browse.desc')}</option>
          </select>
        </label>
      </div>
      <details class="filters" open={n > 0}>
        <summary>{n > 0 ? t('browse.filters_n', { n }) : t('browse.filters')}</summary>
        <div class="toolbar">
          <label>
            {t('browse.genre')}
            <select value={st.genre ?? ''} onChange={(e) => set({ genre: sel((e.target as HTMLSelectElement).value) })}>
              <option value="">{t('browse.any')}</option>
              {st.genre && !list.some((g) => String(g.id) === st.genre) && <option value={st.genre}>{st.genre}</option>}
              {list.map((g) => (
                <option key={g.id} value={String(g.id)}>
                  {g.movie_count != null ? `${g.name} (${formatNumber(g.movie_count)})` : g.name}
                </option>
              ))}
            </select>
          </label>
          <YearInput label={t('browse.year_from')} value={st.year_min} onChange={(year_min) => set({ year_min })} />
          <YearInput label={t('browse.year_to')} value={st.year_max} onChange={(year_max) => set({ year_max })} />
          {kind === 'movies' && (
            <label>
              {t('browse.rating_min')}
              <select value={st.rating_min ?? ''} onChange={(e) => set({ rating_min: sel((e.target as HTMLSelectElement).value) })}>
                <option value="">{t('browse.any')}</option>
                {RATINGS.map((r) => (
                  <option key={r} value={r}>
                    {t('browse.rating_at_least', { n: formatNumber(Number(r)) })}
                  </option>
                ))}
              </select>
            </label>
          )}
          {kind === 'movies' && (
            <label>
              {t('browse.resolution')}
              <select
                value={st.resolution ?? ''}
                disabled={st.has_file === 'false'}
                onChange={(e) => set({ resolution: sel((e.target as HTMLSelectElement).value) })}
              >
                <option value="">{t('browse.any')}</option>
                {RESOLUTIONS.map((r) => (
                  <option key={r} value={r}>
                    {r === 'sd' ? 'SD' : r === '2160p' ? '4K' : r}
                  </option>
                ))}
              </select>
            </label>
          )}
          {kind === 'tvshows' && (
            <label>
              {t('browse.status')}
              <select value={st.status ?? ''} onChange={(e) => set({ status: sel((e.target as HTMLSelectElement).value) })}>
                <option value="">{t('browse.any')}</option>
                {st.status && !(STATUSES as readonly string[]).includes(st.status) && <option value={st.status}>{st.status}</option>}
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t('browse.status_' + s.toLowerCase().replace(/ /g, '_'))}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            {t('browse.files')}
            <select
              value={st.has_file ?? ''}
              onChange={(e) => set({ has_file: sel((e.target as HTMLSelectElement).value) as 'true' | 'false' | undefined })}
            >
              <option value="">{t('browse.any')}</option>
              <option value="true">{t('browse.with_files')}</option>
              <option value="false">{t('browse.without_files')}</option>
            </select>
          </label>
          {n > 0 && (
            <button type="button" class="secondary" onClick={clear}>
              {t('browse.clear')}
            </button>
          )}
        </div>
      </details>
    </div>
  );
}

function Browse({ kind, query }: { kind: Kind; query: URLSearchParams }) {
  const st = parseFilters(kind, query);
  const title = kind === 'movies' ? t('nav.movies') : t('nav.tvshows');
  useTitle(title);
  // each change is a history entry: back undoes it
  const go = (next: FilterState) => navigate(`/${kind}`, toHashParams(next));
  const set = (patch: Partial<FilterState>) => go(applyChange(st, patch));
  return (
    <main class="page browse">
      <h1>{title}</h1>
      <Filters kind={kind} st={st} set={set} clear={() => go(clearFilters(st))} />
      {kind === 'movies' ? (
        <InfiniteGrid<MovieItem>
          resetKey={resetKey(kind, st)}
          fetchPage={(cursor, signal) => get<Page<MovieItem>>(`/movies${listQuery(st, cursor)}`, signal)}
          render={(m) => <MovieCard key={m.id} m={m} />}
          emptyText={activeFilters(st) ? t('browse.none_filtered') : t('browse.none_movies')}
        />
      ) : (
        <InfiniteGrid<SeriesItem>
          resetKey={resetKey(kind, st)}
          fetchPage={(cursor, signal) => get<Page<SeriesItem>>(`/tvshows${listQuery(st, cursor)}`, signal)}
          render={(s) => <SeriesCard key={s.id} s={s} />}
          emptyText={activeFilters(st) ? t('browse.none_filtered') : t('browse.none_series')}
        />
      )}
    </main>
  );
}

export function MoviesPage({ query }: PageProps) {
  return <Browse kind="movies" query={query} />;
}

export function TvShowsPage({ query }: PageProps) {
  return <Browse kind="tvshows" query={query} />;
}

/** A year bound of the filters: empty or out of range means no bound. */
function YearInput(p: { label: string; value: number | undefined; onChange: (v: number | undefined) => void }) {
  return (
    <label>
      {p.label}
      <input
        type="number"
        inputMode="numeric"
        min={1800}
        max={2200}
        size={5}
        value={p.value ?? ''}
        onChange={(e) => p.onChange(yearValue((e.target as HTMLInputElement).value))}
      />
    </label>
  );
}

// The home page: what to continue, the next episodes, and what is new.
import { Page } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { navigate } from '../../lib/router';
import { can } from '../../lib/session';
import { ErrorBox, Row, Spinner } from '../../components/common';
import { MovieCard } from './movie';
import { EpisodeCard, SeriesCard } from './series';
import { SearchBox } from './search';
import { ContinueEntry, mergeContinue, needsDuration, progressPath } from './rows';
import type { EpisodeItem, MovieItem, SeriesItem, WatchState } from './types';
import './viewer.css';

const ROW = 20;

async function list<T>(allowed: boolean, path: string, signal: AbortSignal): Promise<T[]> {
  if (!allowed) return [];
  return (await get<Page<T>>(path, signal)).items;
}

/**
 * Both continue-watching lists in one row. The lists' user_data has the
 * position but not the duration; items without a runtime ask their
 * progress route for the percentage (a row holds few items).
 */
async function loadContinue(movies: boolean, tv: boolean, signal: AbortSignal): Promise<ContinueEntry[]> {
  const [m, e] = await Promise.all([
    list<MovieItem>(movies, `/movies/continue-watching?limit=${ROW}`, signal),
    list<EpisodeItem>(tv, `/tvshows/continue-watching?limit=${ROW}`, signal),
  ]);
  const entries = mergeContinue(m, e).slice(0, ROW);
  await Promise.all(
    needsDuration(entries).map((x) =>
      get<WatchState>(progressPath(x), signal).then(
        (w) => {
          if (w.percent != null) x.progress = Math.min(1, w.percent / 100);
        },
        () => undefined,
      ),
    ),
  );
  return entries;
}

function ContinueCard({ e }: { e: ContinueEntry }) {
  return e.kind === 'episode' ? (
    <EpisodeCard e={e.item} progress={e.progress ?? 0} />
  ) : (
    <MovieCard m={e.item} progress={e.progress ?? 0} />
  );
}

export function Home() {
  const movies = can('movies:list');
  const tv = can('tvshows:list');
  const cont = useLoad((signal) => loadContinue(movies, tv, signal), [movies, tv]);
  const nextUp = useLoad((signal) => list<EpisodeItem>(tv, `/tvshows/next-up?limit=${ROW}`, signal), [tv]);
  const recentMovies = useLoad((signal) => list<MovieItem>(movies, `/movies/recently-added?limit=${ROW}`, signal), [movies]);
  const recentSeries = useLoad((signal) => list<SeriesItem>(tv, `/tvshows/recently-added?limit=${ROW}`, signal), [tv]);
  const loads = [cont, nextUp, recentMovies, recentSeries];
  const loading = loads.some((l) => l.loading && !l.data);
  const error = loads.find((l) => l.error)?.error;
  const nothing = !loading && loads.every((l) => !l.data?.length);

  return (
    <main class="page home">
      {movies && (
        <div class="home-search">
          <SearchBox initial="" onSubmit={(q) => navigate('/search', { q })} />
        </div>
      )}
      {error && <ErrorBox error={error} retry={() => loads.forEach((l) => l.error && l.reload())} />}
      <Row title={t('home.continue')} empty={!cont.data?.length}>
        {cont.data?.map((e) => <ContinueCard key={e.kind + e.item.id} e={e} />)}
      </Row>
      <Row title={t('home.next_up')} empty={!nextUp.data?.length}>
        {nextUp.data?.map((e) => <EpisodeCard key={e.id} e={e} />)}
      </Row>
      <Row title={t('home.recent_movies')} empty={!recentMovies.data?.length}>
        {recentMovies.data?.map((m) => <MovieCard key={m.id} m={m} />)}
      </Row>
      <Row title={t('home.recent_series')} empty={!recentSeries.data?.length}>
        {recentSeries.data?.map((s) => <SeriesCard key={s.id} s={s} />)}
      </Row>
      {loading && <Spinner />}
      {nothing && !error && (
        <div class="notice">
          <p>{t('home.empty')}</p>
        </div>
      )}
    </main>
  );
}

// A series: its facts, the next episode to watch, its seasons and cast, and
// marking the whole series watched.
import { ApiError, Page } from '../../lib/api';
import { formatDate, formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { href } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { Card, ErrorBox, Poster, Spinner } from '../../components/common';
import { episodeCode, episodeTitle, ratingText, resumePosition, seasonName } from './format';
import { BulkWatched, DetailHead, Facts, PeopleRow, PlayActions, useTitle } from './parts';
import type { Credit, EpisodeDetail, EpisodeItem, SeriesDetail, SeriesItem } from './types';
import './viewer.css';

export function SeriesCard({ s }: { s: SeriesItem }) {
  return <Card href={href(`/tvshows/${s.id}`)} title={s.title} subtitle={s.year ? String(s.year) : undefined} image={s.poster_url} />;
}

/** A wide card of an episode (still, else the series poster) for rows. */
export function EpisodeCard({ e, progress }: { e: EpisodeItem; progress?: number }) {
  return (
    <Card
      href={href(`/tvshows/episodes/${e.id}`)}
      title={e.series_title}
      subtitle={`${episodeCode(e.season_number, e.episode_number)} · ${episodeTitle(e)}`}
      image={e.still_url ?? e.series_poster_url}
      wide
      progress={progress}
    />
  );
}

/** The next episode with its first file (the list answer names no files). */
async function nextEpisode(id: string, signal: AbortSignal): Promise<EpisodeDetail | null> {
  const r = await get<{ episode: EpisodeItem | null }>(`/tvshows/${id}/next-episode`, signal);
  if (!r.episode) return null;
  return get<EpisodeDetail>(`/tvshows/episodes/${r.episode.id}`, signal);
}

export function SeriesPage({ params }: PageProps) {
  const id = params.id;
  const detail = useLoad((signal) => get<SeriesDetail>(`/tvshows/${id}`, signal), [id]);
  const next = useLoad((signal) => nextEpisode(id, signal), [id, detail.data?.user_data.watched_episodes]);
  const cast = useLoad(
    (signal) =>
      get<Page<Credit>>(`/tvshows/${id}/cast?limit=30`, signal).then(
        (p) => p.items,
        (e) => {
          if (e instanceof ApiError && e.status === 404) return [] as Credit[];
          throw e;
        },
      ),
    [id],
  );
  const s = detail.data;
  useTitle(s?.title);
  if (detail.error && !s) return <main class="page"><ErrorBox error={detail.error} retry={detail.reload} /></main>;
  if (!s) return <main class="page"><Spinner /></main>;

  const watched = s.user_data?.watched_episodes ?? 0;
  const all = s.episode_count > 0 && watched >= s.episode_count;
  const rating = ratingText(s.vote_average);
  const n = next.data;
  return (
    <main class="page series-page">
      <DetailHead backdrop={s.backdrop_url} poster={s.poster_url} title={s.title}>
        <h1>{s.title}</h1>
        <Facts
          items={[
            s.first_air_date ? formatDate(s.first_air_date) : s.year ? String(s.year) : '',
            s.status,
            s.age_rating?.certification,
            rating && t('viewer.rating', { rating }),
            t('viewer.episodes_watched', { watched: formatNumber(watched), total: formatNumber(s.episode_count) }),
          ]}
        />
        {s.tagline && <p class="tagline">{s.tagline}</p>}
        <div class="actions">
          {n && (
            <PlayActions
              kind="episode"
              id={n.id}
              fileId={n.versions[0]?.file_id}
              resumeAt={resumePosition(n.user_data)}
              what={episodeCode(n.season_number, n.episode_number)}
            />
          )}
          <BulkWatched target={{ series_id: s.id }} all={all} onDone={detail.reload} />
        </div>
        {s.overview ? <p class="overview">{s.overview}</p> : <p class="muted">{t('viewer.no_overview')}</p>}
        {s.genres.length > 0 && (
          <ul class="chips" aria-label={t('viewer.genres')}>
            {s.genres.map((g) => (
              <li key={g.id}>
                <a href={href('/tvshows', { genre: String(g.id) })}>{g.name}</a>
              </li>
            ))}
          </ul>
        )}
        {s.networks.length > 0 && (
          <p>
            <span class="muted">{t('viewer.networks')} </span>
            {s.networks.map((x) => x.name).join(', ')}
          </p>
        )}
      </DetailHead>

      {n && (
        <section class="section next-episode" aria-labelledby="next-h">
          <h2 id="next-h">{t('viewer.next_episode')}</h2>
          <a class="episode-line" href={href(`/tvshows/episodes/${n.id}`)}>
            <Poster src={n.still_url ?? s.poster_url} alt={episodeTitle(n)} wide />
            <span>
              <strong>{episodeCode(n.season_number, n.episode_number)}</strong> {episodeTitle(n)}
              {n.overview && <span class="muted clamp">{n.overview}</span>}
            </span>
          </a>
        </section>
      )}

      <section class="section" aria-labelledby="seasons-h">
        <h2 id="seasons-h">{t('viewer.seasons')}</h2>
        {s.seasons.length === 0 ? (
          <p class="muted">{t('viewer.no_seasons')}</p>
        ) : (
          <div class="grid">
            {s.seasons.map((x) => (
              <Card
                key={x.id}
                href={href(`/tvshows/seasons/${x.id}`)}
                title={seasonName(x)}
                subtitle={t('viewer.n_episodes', { n: formatNumber(x.episode_count) })}
                image={x.poster_url ?? s.poster_url}
              />
            ))}
          </div>
        )}
      </section>
      {cast.data && <PeopleRow title={t('viewer.cast')} people={cast.data} />}
    </main>
  );
}

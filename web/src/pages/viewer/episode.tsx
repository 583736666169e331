// An episode: its facts, play and resume, files, watched state, guest stars
// and the links to the episodes before and after it.
import { Page } from '../../lib/api';
import { formatDate, formatRuntime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { href } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, Spinner } from '../../components/common';
import { episodeCode, episodeTitle, ratingText, resumePosition, seasonName } from './format';
import { DetailHead, Facts, FilesList, PlayActions, WatchedToggle, useTitle } from './parts';
import type { EpisodeDetail, MediaFile } from './types';
import './viewer.css';

export function EpisodePage({ params }: PageProps) {
  const id = params.id;
  const detail = useLoad((signal) => get<EpisodeDetail>(`/tvshows/episodes/${id}`, signal), [id]);
  const files = useLoad(
    (signal) => get<Page<MediaFile>>(`/tvshows/episodes/${id}/files?limit=50`, signal).then((p) => p.items),
    [id],
  );
  const e = detail.data;
  useTitle(e ? `${e.series_title} · ${episodeCode(e.season_number, e.episode_number)}` : undefined);
  if (detail.error && !e) return <main class="page"><ErrorBox error={detail.error} retry={detail.reload} /></main>;
  if (!e) return <main class="page"><Spinner /></main>;

  const rating = ratingText(e.vote_average);
  return (
    <main class="page episode-page">
      <nav class="crumbs" aria-label={t('viewer.breadcrumbs')}>
        <a href={href(`/tvshows/${e.series_id}`)}>{e.series_title}</a>
        <span aria-hidden="true"> › </span>
        <a href={href(`/tvshows/seasons/${e.season.id}`)}>{seasonName(e.season)}</a>
      </nav>
      <DetailHead poster={e.still_url ?? e.series_poster_url} title={episodeTitle(e)} wide={!!e.still_url}>
        <p class="muted ep-code">{episodeCode(e.season_number, e.episode_number)}</p>
        <h1>{episodeTitle(e)}</h1>
        <Facts
          items={[e.air_date ? formatDate(e.air_date) : '', formatRuntime(e.runtime), rating && t('viewer.rating', { rating })]}
        />
        <div class="actions">
          <PlayActions kind="episode" id={e.id} fileId={e.versions[0]?.file_id ?? files.data?.[0]?.id} resumeAt={resumePosition(e.user_data)} />
          <WatchedToggle path={`/tvshows/episodes/${e.id}/watched`} watched={!!e.user_data?.watched} onChange={detail.reload} />
        </div>
        {e.overview ? <p class="overview">{e.overview}</p> : <p class="muted">{t('viewer.no_overview')}</p>}
        <nav class="prev-next" aria-label={t('viewer.episode_nav')}>
          {e.previous_id && (
            <a class="button secondary" href={href(`/tvshows/episodes/${e.previous_id}`)} rel="prev">
              ← {t('viewer.previous_episode')}
            </a>
          )}
          {e.next_id && (
            <a class="button secondary" href={href(`/tvshows/episodes/${e.next_id}`)} rel="next">
              {t('viewer.next_episode')} →
            </a>
          )}
        </nav>
      </DetailHead>

      <section class="section" aria-labelledby="files-h">
        <h2 id="files-h">{t('viewer.files')}</h2>
        {files.error ? <ErrorBox error={files.error} retry={files.reload} /> : files.data ? <FilesList kind="episode" id={e.id} files={files.data} /> : <Spinner />}
      </section>
      {e.guest_stars && e.guest_stars.length > 0 && (
        <section class="section" aria-labelledby="guests-h">
          <h2 id="guests-h">{t('viewer.guest_stars')}</h2>
          <ul class="people-list">
            {e.guest_stars.map((g, i) => (
              <li key={i}>
                {g.name}
                {g.character && <span class="muted"> · {g.character}</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </main>
  );
}

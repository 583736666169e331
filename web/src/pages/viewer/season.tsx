// A season: its episodes with stills and watched state, each toggled on its
// own or all at once.
import { Page } from '../../lib/api';
import { formatDate, formatNumber, formatRuntime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { href } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, Poster, Spinner } from '../../components/common';
import { episodeTitle, progressOf, seasonName } from './format';
import { BulkWatched, DetailHead, Facts, WatchedToggle, useTitle } from './parts';
import type { EpisodeItem, SeasonDetail } from './types';
import './viewer.css';

/** Every episode of the season (seasons are short; pages of 100 until done). */
async function allEpisodes(id: string, signal: AbortSignal): Promise<EpisodeItem[]> {
  const out: EpisodeItem[] = [];
  let cursor: string | null | undefined = null;
  for (let i = 0; i < 20; i++) {
    const q: string = `/tvshows/seasons/${id}/episodes?limit=100${cursor ? '&cursor=' + encodeURIComponent(cursor) : ''}`;
    const p: Page<EpisodeItem> = await get<Page<EpisodeItem>>(q, signal);
    out.push(...p.items);
    cursor = p.next_cursor;
    if (!cursor) break;
  }
  return out;
}

export function SeasonPage({ params }: PageProps) {
  const id = params.id;
  const detail = useLoad((signal) => get<SeasonDetail>(`/tvshows/seasons/${id}`, signal), [id]);
  const episodes = useLoad((signal) => allEpisodes(id, signal), [id]);
  const s = detail.data;
  const name = s ? seasonName(s) : undefined;
  useTitle(s && name ? `${s.series.title} · ${name}` : undefined);
  if (detail.error && !s) return <main class="page"><ErrorBox error={detail.error} retry={detail.reload} /></main>;
  if (!s) return <main class="page"><Spinner /></main>;

  const reloadAll = () => {
    detail.reload();
    episodes.reload();
  };
  const all = s.episode_count > 0 && s.watched_episodes >= s.episode_count;
  return (
    <main class="page season-page">
      <nav class="crumbs" aria-label={t('viewer.breadcrumbs')}>
        <a href={href(`/tvshows/${s.series.id}`)}>{s.series.title}</a>
      </nav>
      <DetailHead poster={s.poster_url ?? s.series.poster_url} title={name!}>
        <h1>{name}</h1>
        <Facts
          items={[
            s.air_date ? formatDate(s.air_date) : '',
            t('viewer.episodes_watched', { watched: formatNumber(s.watched_episodes), total: formatNumber(s.episode_count) }),
          ]}
        />
        <div class="actions">
          <BulkWatched target={{ season_id: s.id }} all={all} onDone={reloadAll} />
        </div>
        {s.overview && <p class="overview">{s.overview}</p>}
      </DetailHead>

      <section class="section" aria-labelledby="episodes-h">
        <h2 id="episodes-h">{t('viewer.episodes')}</h2>
        {episodes.error && <ErrorBox error={episodes.error} retry={episodes.reload} />}
        {!episodes.data && !episodes.error && <Spinner />}
        {episodes.data && episodes.data.length === 0 && <p class="muted">{t('viewer.no_episodes')}</p>}
        {episodes.data && episodes.data.length > 0 && (
          <ol class="episodes">
            {episodes.data.map((e) => {
              const p = e.user_data?.watched ? undefined : progressOf(e.user_data?.position_seconds, e.runtime ? e.runtime * 60 : null);
              return (
              <li key={e.id} class={e.user_data?.watched ? 'episode is-watched' : 'episode'}>
                <a class="episode-still" href={href(`/tvshows/episodes/${e.id}`)} tabIndex={-1} aria-hidden="true">
                  <Poster src={e.still_url} alt={episodeTitle(e)} wide />
                  {p !== undefined && (
                    <span class="progress">
                      <span style={{ width: `${Math.round(p * 100)}%` }} />
                    </span>
                  )}
                </a>
                <div class="episode-body">
                  <h3>
                    <a href={href(`/tvshows/episodes/${e.id}`)}>
                      <span class="ep-num">{e.episode_number}.</span> {episodeTitle(e)}
                    </a>
                  </h3>
                  <Facts items={[e.air_date ? formatDate(e.air_date) : '', formatRuntime(e.runtime), !e.has_file && t('viewer.missing_file')]} />
                  {e.overview && <p class="clamp">{e.overview}</p>}
                </div>
                <div class="episode-actions">
                  <WatchedToggle
                    path={`/tvshows/episodes/${e.id}/watched`}
                    watched={!!e.user_data?.watched}
                    onChange={() => detail.reload()}
                    compact
                    label={t('viewer.watched_item', { title: episodeTitle(e) })}
                  />
                </div>
              </li>
              );
            })}
          </ol>
        )}
      </section>
    </main>
  );
}

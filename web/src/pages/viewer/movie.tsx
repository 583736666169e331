// A movie: its facts, play and resume, watched state, files and versions,
// cast and crew, its collection and similar movies.
import { ApiError, Page } from '../../lib/api';
import { formatDate, formatRuntime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { href } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { Card, ErrorBox, Row, Spinner } from '../../components/common';
import { ratingText, resumePosition } from './format';
import { DetailHead, Facts, FilesList, PeopleRow, PlayActions, WatchedToggle, useTitle } from './parts';
import type { Collection, Credit, MediaFile, MovieDetail, MovieItem } from './types';
import './viewer.css';

export function MovieCard({ m, progress }: { m: MovieItem; progress?: number }) {
  return (
    <Card
      href={href(`/movies/${m.id}`)}
      title={m.title}
      subtitle={m.year ? String(m.year) : undefined}
      image={m.poster_url}
      progress={progress}
    />
  );
}

/** A list route's items, or none when the route is missing or refused (a page part, not the page). */
async function items<T>(path: string, signal: AbortSignal): Promise<T[]> {
  try {
    return (await get<Page<T>>(path, signal)).items;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return [];
    throw e;
  }
}

export function MoviePage({ params }: PageProps) {
  const id = params.id;
  const detail = useLoad((signal) => get<MovieDetail>(`/movies/${id}`, signal), [id]);
  const files = useLoad((signal) => items<MediaFile>(`/movies/${id}/files?limit=50`, signal), [id]);
  const people = useLoad(
    async (signal) => {
      const [cast, crew] = await Promise.all([
        items<Credit>(`/movies/${id}/cast?limit=30`, signal),
        items<Credit>(`/movies/${id}/crew?limit=30`, signal),
      ]);
      return { cast, crew };
    },
    [id],
  );
  const similar = useLoad((signal) => items<MovieItem>(`/movies/${id}/similar?limit=20`, signal), [id]);
  const collectionId = detail.data?.collection?.id;
  const collection = useLoad(
    async (signal) => {
      if (!collectionId) return null;
      const [c, movies] = await Promise.all([
        get<Collection>(`/movies/${id}/collection`, signal),
        items<MovieItem>(`/collections/${collectionId}/movies?limit=50`, signal),
      ]);
      return { c, movies };
    },
    [id, collectionId],
  );
  const m = detail.data;
  useTitle(m?.title);

  if (detail.error && !m) return <main class="page"><ErrorBox error={detail.error} retry={detail.reload} /></main>;
  if (!m || m.id !== id) return <main class="page"><Spinner /></main>;

  const resumeAt = resumePosition(m.user_data);
  const firstFile = m.versions[0]?.file_id ?? files.data?.[0]?.id;
  const rating = ratingText(m.vote_average);
  return (
    <main class="page movie-page">
      <DetailHead backdrop={m.backdrop_url} poster={m.poster_url} title={m.title}>
        <h1>{m.title}</h1>
        {m.original_title && m.original_title !== m.title && <p class="muted original">{m.original_title}</p>}
        <Facts
          items={[
            m.release_date ? formatDate(m.release_date) : m.year ? String(m.year) : '',
            formatRuntime(m.runtime),
            m.age_rating?.certification,
            rating && t('viewer.rating', { rating }),
          ]}
        />
        {m.tagline && <p class="tagline">{m.tagline}</p>}
        <div class="actions">
          <PlayActions kind="movie" id={m.id} fileId={firstFile} resumeAt={resumeAt} />
          <WatchedToggle path={`/movies/${m.id}/watched`} watched={!!m.user_data?.watched} onChange={detail.reload} />
        </div>
        {m.overview ? <p class="overview">{m.overview}</p> : <p class="muted">{t('viewer.no_overview')}</p>}
        {m.genres.length > 0 && (
          <ul class="chips" aria-label={t('viewer.genres')}>
            {m.genres.map((g) => (
              <li key={g.id}>
                <a href={href('/movies', { genre: String(g.id) })}>{g.name}</a>
              </li>
            ))}
          </ul>
        )}
        {m.directors.length > 0 && (
          <p>
            <span class="muted">{t('viewer.directed_by')} </span>
            {m.directors.map((d) => d.name).join(', ')}
          </p>
        )}
      </DetailHead>

      <section class="section" aria-labelledby="files-h">
        <h2 id="files-h">{t('viewer.files')}</h2>
        {files.error ? <ErrorBox error={files.error} retry={files.reload} /> : files.data ? <FilesList kind="movie" id={m.id} files={files.data} /> : <Spinner />}
      </section>

      {people.data && <PeopleRow title={t('viewer.cast')} people={people.data.cast} />}
      {people.data && <PeopleRow title={t('viewer.crew')} people={people.data.crew} />}

      {collection.data && (
        <Row title={t('viewer.collection', { name: collection.data.c.name })} empty={collection.data.movies.length === 0}>
          {collection.data.movies.map((x) => (
            <MovieCard key={x.id} m={x} />
          ))}
        </Row>
      )}
      <Row title={t('viewer.similar')} empty={!similar.data?.length}>
        {similar.data?.map((x) => <MovieCard key={x.id} m={x} />)}
      </Row>
    </main>
  );
}

// Pieces the viewer's detail pages share: the watched toggle, the list of
// files with their play links, cast rows and the backdrop header.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { formatDuration, t } from '../../lib/i18n';
import { post, del } from './net';
import { href } from '../../lib/router';
import { can } from '../../lib/session';
import { Poster, Row } from '../../components/common';
import { fileFacts, versionName } from './format';
import type { Credit, MediaFile } from './types';

/**
 * Marks an item watched (POST) or unwatched (DELETE) at `path`
 * (/movies/{id}/watched, /tvshows/episodes/{id}/watched). Hidden without
 * playback:progress. The button shows the state the server answered.
 */
export function WatchedToggle({
  path,
  watched,
  onChange,
  compact,
  label,
}: {
  path: string;
  watched: boolean;
  onChange?: (watched: boolean) => void;
  /** a smaller button, for lists */
  compact?: boolean;
  /** the accessible name when several toggles share a page ('Watched: Pilot') */
  label?: string;
}) {
  const [state, setState] = useState(watched);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => setState(watched), [watched]);
  if (!can('playback:progress')) return null;
  const toggle = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = state ? await del<{ watched: boolean }>(path) : await post<{ watched: boolean }>(path);
      const now = r ? r.watched : !state;
      setState(now);
      onChange?.(now);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  // a toggle keeps one name; its state is aria-pressed (and ✓ or ○ to the eye)
  return (
    <>
      <button
        type="button"
        class={'secondary watched-toggle' + (state ? ' is-watched' : '') + (compact ? ' compact' : '')}
        aria-pressed={state}
        aria-label={label}
        disabled={busy}
        onClick={toggle}
      >
        <span aria-hidden="true">{state ? '✓ ' : '○ '}</span>
        {t('viewer.watched')}
      </button>
      {error && (
        <span class="form-error" role="alert">
          {error.message}
        </span>
      )}
    </>
  );
}

/**
 * The bulk watched button of a series or season (POST
 * /tvshows/episodes/bulk-watched); `all` says whether every episode is watched.
 */
export function BulkWatched({
  target,
  all,
  onDone,
}: {
  target: { series_id: string } | { season_id: string };
  all: boolean;
  onDone: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  if (!can('playback:progress')) return null;
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await post('/tvshows/episodes/bulk-watched', { ...target, watched: !all });
      onDone();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" class="secondary" disabled={busy} onClick={run}>
        {all ? t('viewer.mark_all_unwatched') : t('viewer.mark_all_watched')}
      </button>
      {error && (
        <span class="form-error" role="alert">
          {error.message}
        </span>
      )}
    </>
  );
}

/** '#/play/movie/<id>/<file>' with '?t=' when resuming. */
export function playHref(kind: 'movie' | 'episode', id: string, fileId: string, at?: number): string {
  return href(`/play/${kind}/${id}/${fileId}`, at ? { t: Math.floor(at) } : undefined);
}

/** Play (and Resume) for the first version; hidden without playback:stream. */
export function PlayActions({
  kind,
  id,
  fileId,
  resumeAt,
  what,
}: {
  kind: 'movie' | 'episode';
  id: string;
  fileId: string | undefined;
  resumeAt: number | undefined;
  /** names the item when the page is about something else ('S01E02' on a series) */
  what?: string;
}) {
  if (!fileId || !can('playback:stream')) return null;
  return (
    <>
      {resumeAt !== undefined && (
        <a class="button play" href={playHref(kind, id, fileId, resumeAt)}>
          {what ? t('viewer.resume_what_at', { what, time: formatDuration(resumeAt) }) : t('viewer.resume_at', { time: formatDuration(resumeAt) })}
        </a>
      )}
      <a class={resumeAt !== undefined ? 'button secondary play' : 'button play'} href={playHref(kind, id, fileId)}>
        {what ? t('viewer.play_version', { name: what }) : resumeAt !== undefined ? t('viewer.play_from_start') : t('viewer.play')}
      </a>
    </>
  );
}

/** The files (versions) of a movie or episode, each with a Play link. */
export function FilesList({ kind, id, files }: { kind: 'movie' | 'episode'; id: string; files: MediaFile[] }) {
  if (files.length === 0) return <p class="muted">{t('viewer.no_files')}</p>;
  const stream = can('playback:stream');
  return (
    <ul class="files">
      {files.map((f, i) => {
        const x = fileFacts(f);
        const name = versionName(f.version, f.resolution, i);
        return (
          <li key={f.id} class="file">
            <div class="file-head">
              <strong class="file-name">{name}</strong>
              {stream && (
                <a class="button small" href={playHref(kind, id, f.id)} aria-label={t('viewer.play_version', { name })}>
                  {t('viewer.play')}
                </a>
              )}
            </div>
            <dl class="facts">
              {x.resolution && <Fact label={t('viewer.resolution')} value={x.resolution} />}
              {x.video && <Fact label={t('viewer.video')} value={x.video} />}
              {x.audio && <Fact label={t('viewer.audio')} value={x.audio} />}
              {x.subtitles && <Fact label={t('viewer.subtitles')} value={x.subtitles} />}
              {x.duration && <Fact label={t('viewer.duration')} value={x.duration} />}
              <Fact label={t('viewer.size')} value={x.size} />
            </dl>
          </li>
        );
      })}
    </ul>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

/** People with their photos and roles (cast: character, crew: job). */
export function PeopleRow({ title, people }: { title: string; people: Credit[] }) {
  return (
    <Row title={title} empty={people.length === 0}>
      {people.map((p) => (
        <div class="card person" key={p.person_id + (p.character ?? p.job ?? '')}>
          <Poster src={p.profile_url} alt={p.name} />
          <span class="card-title">{p.name}</span>
          {(p.character || p.job) && <span class="card-sub">{p.character || p.job}</span>}
        </div>
      ))}
    </Row>
  );
}

/** A detail page's top: the backdrop behind the poster and the facts. */
export function DetailHead({
  backdrop,
  poster,
  title,
  wide,
  children,
}: {
  backdrop?: string | null;
  poster: string | null | undefined;
  title: string;
  wide?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class={backdrop ? 'hero has-backdrop' : 'hero'}>
      {backdrop && <img class="backdrop" src={backdrop} alt="" loading="lazy" decoding="async" />}
      <div class={wide ? 'detail wide-art' : 'detail'}>
        <div class="detail-art">
          <Poster src={poster} alt={title} wide={wide} />
        </div>
        <div class="detail-body">{children}</div>
      </div>
    </div>
  );
}

/** The line of small facts under a title (year · runtime · rating …). */
export function Facts({ items }: { items: (string | false | null | undefined)[] }) {
  const shown = items.filter((x): x is string => !!x);
  if (!shown.length) return null;
  return (
    <p class="meta">
      {shown.map((x) => (
        <span key={x}>{x}</span>
      ))}
    </p>
  );
}

/** The window title while a page shows. */
export function useTitle(title: string | undefined): void {
  useEffect(() => {
    if (!title) return;
    const before = document.title;
    document.title = `${title} · Revenge`;
    return () => {
      document.title = before;
    };
  }, [title]);
}

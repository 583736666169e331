// The player: a movie's or an episode's file in the browser's own <video>
// (direct play, the session cookie authorises the stream), with external
// subtitles, resume, position reports and watched marks. Nothing is
// transcoded: a file the browser cannot decode is offered as a download.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, Page } from '../../lib/api';
import { formatDuration, lang, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can, session } from '../../lib/session';
import { navigate } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, Spinner } from '../../components/common';
import { playability, Playability, ProbedFile, Problem, codecName } from './codecs';
import {
  SaveReason,
  afterSave,
  episodeCode,
  initialSaveState,
  parseStart,
  resumeOffer,
  shouldSave,
  wholeSeconds,
} from './progress';
import { parseSubRip, subtitleLabels, SubtitleFile, vttUrl } from './subtitles';
import { keyAction } from './keys';
import './play.css';

type Kind = 'movie' | 'episode';

interface MediaFile extends ProbedFile {
  id: string;
  duration_ms: number | null;
  subtitles: SubtitleFile[];
  stream_url: string;
}

interface WatchState {
  position_seconds: number;
  duration_seconds: number | null;
  watched: boolean;
  play_count: number;
}

interface Movie {
  id: string;
  title: string;
  year?: number | null;
}

interface Episode {
  id: string;
  series_id: string;
  series_title: string;
  season_number: number;
  episode_number: number;
  title: string | null;
  next_id?: string | null;
}

interface Loaded {
  title: string;
  back: string;
  file: MediaFile;
  watch: WatchState;
  seriesId: string | null;
  nextId: string | null;
}

function apiBase(kind: Kind, id: string): string {
  return kind === 'movie' ? `/movies/${encodeURIComponent(id)}` : `/tvshows/episodes/${encodeURIComponent(id)}`;
}

export function episodeTitle(e: Episode): string {
  return `${e.series_title} – ${episodeCode(e.season_number, e.episode_number)} – ${
    e.title || t('play.episode_n', { n: e.episode_number })
  }`;
}

/** The file among the item's files (they come in pages). */
async function findFile(base: string, fileId: string, signal: AbortSignal): Promise<MediaFile> {
  let cursor: string | null | undefined = null;
  for (let i = 0; i < 20; i++) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: Page<MediaFile> = await api.get<Page<MediaFile>>(`${base}/files?limit=100${q}`, { signal });
    const f = page.items.find((x) => x.id === fileId);
    if (f) return f;
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  throw Object.assign(new Error(t('play.no_file')), { name: 'NotFound' });
}

async function load(kind: Kind, id: string, fileId: string, signal: AbortSignal): Promise<Loaded> {
  const base = apiBase(kind, id);
  const [item, file, watch] = await Promise.all([
    api.get<Movie & Episode>(base, { signal }),
    findFile(base, fileId, signal),
    api.get<WatchState>(`${base}/progress`, { signal }),
  ]);
  if (kind === 'movie') {
    const title = item.year ? `${item.title} (${item.year})` : item.title;
    return { title, back: `#/movies/${encodeURIComponent(id)}`, file, watch, seriesId: null, nextId: null };
  }
  return {
    title: episodeTitle(item),
    back: `#/tvshows/episodes/${encodeURIComponent(id)}`,
    file,
    watch,
    seriesId: item.series_id,
    nextId: item.next_id ?? null,
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function describe(problems: Problem[]): string {
  return problems
    .map((p) => t(p.kind === 'video' ? 'play.what_video' : p.kind === 'audio' ? 'play.what_audio' : 'play.what_container', { name: p.name }))
    .join(', ');
}

function CannotPlay({ problems, src, name, onTry }: { problems: Problem[]; src: string; name: string; onTry?: () => void }) {
  const what = describe(problems);
  return (
    <div class="play-error" role="alert">
      <p>{what ? t('play.cannot_play', { what }) : t('play.cannot_play_generic')}</p>
      <p class="actions">
        <a class="button" href={src} download={name}>
          {t('play.download')}
        </a>
        {onTry && (
          <button type="button" class="secondary" onClick={onTry}>
            {t('play.try_anyway')}
          </button>
        )}
      </p>
    </div>
  );
}

export function MoviePlayer({ params, query }: PageProps) {
  return <Player key={`m:${params.id}:${params.file}`} kind="movie" id={params.id} fileId={params.file} start={parseStart(query.get('t'))} />;
}

export function EpisodePlayer({ params, query }: PageProps) {
  return <Player key={`e:${params.id}:${params.file}`} kind="episode" id={params.id} fileId={params.file} start={parseStart(query.get('t'))} />;
}

function Player({ kind, id, fileId, start }: { kind: Kind; id: string; fileId: string; start: number | null }) {
  const loaded = useLoad((signal) => load(kind, id, fileId, signal), [kind, id, fileId]);
  const d = loaded.data;
  if (!d) {
    return (
      <main class="page player-page">
        {loaded.error ? <ErrorBox error={loaded.error} retry={loaded.reload} /> : <Spinner />}
      </main>
    );
  }
  return <PlayerView kind={kind} id={id} data={d} start={start} />;
}

type Phase =
  | { name: 'choose'; at: number }
  | { name: 'play'; at: number }
  | { name: 'blocked' }
  | { name: 'failed'; problems: Problem[]; status?: number };

interface NextItem {
  id: string;
  season_number: number;
  episode_number: number;
  title: string | null;
}

interface Next {
  id: string;
  fileId: string;
  label: string;
}

function PlayerView({ kind, id, data, start }: { kind: Kind; id: string; data: Loaded; start: number | null }) {
  const base = apiBase(kind, id);
  const file = data.file;
  const src = file.stream_url;
  const canProgress = can('playback:progress');
  const duration = file.duration_ms ? file.duration_ms / 1000 : data.watch.duration_seconds;

  const check: Playability = useMemo(() => {
    const probe = document.createElement('video');
    return playability(file, (type) => probe.canPlayType(type));
  }, [file]);

  const [phase, setPhase] = useState<Phase>(() => {
    if (check.verdict === 'no') return { name: 'blocked' };
    if (start !== null) return { name: 'play', at: start };
    const offer = resumeOffer(data.watch.position_seconds, duration);
    return offer !== null ? { name: 'choose', at: offer } : { name: 'play', at: 0 };
  });
  const [watch, setWatch] = useState<WatchState>(data.watch);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [ended, setEnded] = useState(false);
  const [next, setNext] = useState<Next | null | undefined>(undefined);
  const [fallback, setFallback] = useState<Record<number, boolean>>({});
  const videoRef = useRef<HTMLVideoElement>(null);
  const resumeButton = useRef<HTMLButtonElement>(null);
  const saveState = useRef(initialSaveState());
  const lastTime = useRef(0);
  const alive = useRef(true);
  useEffect(() => () => void (alive.current = false), []);

  const labels = useMemo(
    () => subtitleLabels(file.subtitles, lang(), t('play.sub_unknown'), t('play.sub_forced')),
    [file, lang()],
  );

  useEffect(() => {
    const before = document.title;
    document.title = `${data.title} – Revenge`;
    return () => void (document.title = before);
  }, [data.title]);

  /** Report the position (or the end) when the rules say so. */
  const save = (reason: SaveReason, keepalive = false): Promise<WatchState | null> => {
    const v = videoRef.current;
    if (!canProgress || !v) return Promise.resolve(null);
    const dur = Number.isFinite(v.duration) && v.duration > 0 ? v.duration : null;
    let pos = Number.isFinite(v.currentTime) ? v.currentTime : lastTime.current;
    if (reason === 'ended' && dur) pos = dur;
    const now = Date.now();
    if (!shouldSave(reason, pos, saveState.current, now)) return Promise.resolve(null);
    saveState.current = afterSave(saveState.current, pos, now);
    const body: { position_seconds: number; duration_seconds?: number } = { position_seconds: wholeSeconds(pos) };
    if (dur) body.duration_seconds = Math.max(1, Math.round(dur));
    return api.put<WatchState>(`${base}/progress`, body, { keepalive }).then(
      (ws) => {
        if (alive.current) setWatch(ws);
        return ws;
      },
      () => {
        // a failed report is tried again at the next occasion
        saveState.current = { ...saveState.current, lastPosition: null };
        return null;
      },
    );
  };
  const saveRef = useRef(save);
  saveRef.current = save;

  const playing = phase.name === 'play' || phase.name === 'choose';

  // The video element's events: position reports, start position, errors.
  useEffect(() => {
    const v = videoRef.current;
    if (!v || !playing) return;
    const s = (r: SaveReason, keepalive = false) => void saveRef.current(r, keepalive);
    const onPlaying = () => {
      saveState.current = { ...saveState.current, started: true };
      setEnded(false);
      // played from the controls without answering the resume question
      setPhase((p) => (p.name === 'choose' ? { name: 'play', at: 0 } : p));
    };
    const onTime = () => {
      if (v.currentTime > 0) lastTime.current = v.currentTime;
      if (!v.paused) s('tick');
    };
    const onPause = () => {
      if (!v.ended) s('pause');
    };
    const onSeeked = () => s('seeked');
    const onEnded = () => {
      setEnded(true);
      void saveRef.current('ended').then(() => {
        if (kind === 'episode' && alive.current) void findNext();
      });
    };
    const onMeta = () => {
      // Chromium plays a video track it cannot decode (HEVC) as sound over
      // nothing, without an error: no picture size means no picture.
      if (file.video_codec && v.videoWidth === 0 && v.videoHeight === 0) {
        v.pause();
        setPhase({ name: 'failed', problems: [{ kind: 'video', name: codecName(file.video_codec, 'video') }] });
      }
    };
    const onError = () => void diagnose();
    const onHide = () => {
      if (document.visibilityState === 'hidden') s('leave', true);
    };
    const onPageHide = () => s('leave', true);
    // one abort removes every listener below when the effect ends
    const off = new AbortController();
    v.addEventListener('playing', onPlaying, { signal: off.signal });
    v.addEventListener('timeupdate', onTime, { signal: off.signal });
    v.addEventListener('pause', onPause, { signal: off.signal });
    v.addEventListener('seeked', onSeeked, { signal: off.signal });
    v.addEventListener('ended', onEnded, { signal: off.signal });
    v.addEventListener('loadedmetadata', onMeta, { signal: off.signal });
    v.addEventListener('error', onError, { signal: off.signal });
    document.addEventListener('visibilitychange', onHide, { signal: off.signal });
    window.addEventListener('pagehide', onPageHide, { signal: off.signal });
    // what happened before this effect ran (Preact runs it after a frame)
    if (v.error) onError();
    else if (v.readyState >= 1) onMeta();
    return () => {
      s('leave', true);
      off.abort();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [playing]);

  // Start (or resume) once the choice is made.
  useEffect(() => {
    const v = videoRef.current;
    if (!v || phase.name !== 'play') return;
    const go = () => {
      if (phase.at > 0 && Math.abs(v.currentTime - phase.at) > 0.5) v.currentTime = phase.at;
      v.play().catch(() => {
        /* autoplay refused: the controls are there */
      });
    };
    if (v.readyState >= 1) go();
    else {
      v.addEventListener('loadedmetadata', go, { once: true });
      return () => v.removeEventListener('loadedmetadata', go);
    }
  }, [phase]);

  // Keyboard: space, arrows, f and m, unless a form control has the focus.
  useEffect(() => {
    if (!playing) return;
    const onKey = (e: KeyboardEvent) => {
      const v = videoRef.current;
      if (!v || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target && target !== v && target.closest('input, textarea, select, button, a, summary, [contenteditable]')) return;
      const action = keyAction(e.key);
      if (!action) return;
      e.preventDefault();
      if (action === 'toggle') {
        if (v.paused) void v.play().catch(() => {});
        else v.pause();
      } else if (action === 'back') v.currentTime = Math.max(0, v.currentTime - 10);
      else if (action === 'forward') v.currentTime = Math.min(v.duration || Infinity, v.currentTime + 10);
      else if (action === 'mute') v.muted = !v.muted;
      else if (action === 'fullscreen') {
        if (document.fullscreenElement) void document.exitFullscreen().catch(() => {});
        else void v.requestFullscreen?.().catch(() => {});
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [playing]);

  // An autoplay countdown to the next episode, when the preference says so.
  const [countdown, setCountdown] = useState<number | null>(null);
  useEffect(() => {
    if (!next || countdown === null) return;
    if (countdown <= 0) {
      navigate(`/play/episode/${encodeURIComponent(next.id)}/${encodeURIComponent(next.fileId)}`);
      return;
    }
    const h = setTimeout(() => setCountdown(countdown - 1), 1000);
    return () => clearTimeout(h);
  }, [next, countdown]);

  /** After an error event: an HTTP failure of the stream, or a file the browser cannot decode. */
  async function diagnose() {
    let status: number | undefined;
    try {
      const r = await fetch(src, { headers: { Range: 'bytes=0-0' }, credentials: 'same-origin' });
      if (!r.ok) status = r.status;
      await r.body?.cancel().catch(() => {});
    } catch {
      status = 0;
    }
    if (alive.current) setPhase({ name: 'failed', problems: check.problems, status });
  }

  async function findNext() {
    try {
      let ep: NextItem | null = null;
      if (data.seriesId) {
        const r = await api.get<{ episode: NextItem | null }>(`/tvshows/${encodeURIComponent(data.seriesId)}/next-episode`);
        ep = r.episode && r.episode.id !== id ? r.episode : null;
      }
      // every episode watched (a second viewing): the one after this
      if (!ep && data.nextId) ep = await api.get<NextItem>(`/tvshows/episodes/${encodeURIComponent(data.nextId)}`);
      if (!ep) return setNext(null);
      const files = await api.get<Page<{ id: string }>>(`/tvshows/episodes/${encodeURIComponent(ep.id)}/files?limit=1`);
      if (!files.items.length || !alive.current) return setNext(null);
      const label = `${episodeCode(ep.season_number, ep.episode_number)} – ${ep.title || t('play.episode_n', { n: ep.episode_number })}`;
      setNext({ id: ep.id, fileId: files.items[0].id, label });
      if (session().prefs?.autoplay) setCountdown(10);
    } catch {
      setNext(null);
    }
  }

  async function markWatched(on: boolean) {
    setBusy(true);
    setActionError(null);
    try {
      const ws = on ? await api.post<WatchState>(`${base}/watched`) : await api.del<WatchState>(`${base}/watched`);
      setWatch(ws);
      // the mark reset the position; the next report starts afresh
      saveState.current = { ...saveState.current, lastPosition: null };
    } catch (e) {
      setActionError(e as Error);
    } finally {
      setBusy(false);
    }
  }

  /** A subtitle the server did not give as WebVTT: parse its SubRip here. */
  async function subtitleFallback(sub: SubtitleFile, label: string, e: Event) {
    const v = videoRef.current;
    const el = e.currentTarget as HTMLTrackElement;
    if (!v || fallback[sub.index]) return;
    const mode = el.track.mode === 'disabled' ? 'showing' : el.track.mode;
    try {
      const r = await fetch(sub.url, { credentials: 'same-origin' });
      if (!r.ok) return;
      const cues = parseSubRip(await r.text());
      if (!cues.length) return;
      const track = v.addTextTrack('subtitles', label, sub.language ?? '');
      for (const c of cues) track.addCue(new VTTCue(c.start, c.end, c.text));
      track.mode = mode;
      setFallback((f) => ({ ...f, [sub.index]: true }));
    } catch {
      /* no subtitle then */
    }
  }

  const offered = phase.name === 'choose' ? phase.at : null;
  useEffect(() => {
    if (offered !== null) resumeButton.current?.focus();
  }, [offered !== null]);
  const forcedDefault = file.subtitles.findIndex((s) => s.forced && s.language === lang());

  return (
    <main class="page player-page">
      <p class="player-back">
        <a href={data.back}>{t('play.back')}</a>
      </p>
      <h1 class="player-title">{data.title}</h1>

      {phase.name === 'blocked' && (
        <CannotPlay problems={check.problems} src={src} name={basename(file.rel_path)} onTry={() => setPhase({ name: 'play', at: start ?? 0 })} />
      )}
      {phase.name === 'failed' &&
        (phase.status !== undefined ? (
          <div class="play-error" role="alert">
            <p>{phase.status ? t('play.load_failed_status', { status: phase.status }) : t('play.load_failed')}</p>
            <p class="actions">
              <button type="button" onClick={() => location.reload()}>
                {t('common.retry')}
              </button>
            </p>
          </div>
        ) : (
          <CannotPlay problems={phase.problems} src={src} name={basename(file.rel_path)} />
        ))}

      {playing && (
        <div class="player-frame">
          <video ref={videoRef} src={src} controls preload="metadata" playsInline>
            {file.subtitles.map((s, i) =>
              fallback[s.index] ? null : (
                <track
                  key={s.index}
                  kind="subtitles"
                  src={vttUrl(s.url)}
                  srclang={s.language ?? undefined}
                  label={labels[i]}
                  default={i === forcedDefault}
                  onError={(e) => void subtitleFallback(s, labels[i], e)}
                />
              ),
            )}
          </video>
          {offered !== null && (
            <div class="resume" role="group" aria-label={t('play.resume_group')}>
              <button type="button" ref={resumeButton} onClick={() => setPhase({ name: 'play', at: offered })}>
                {t('play.resume_from', { time: formatDuration(Math.floor(offered)) })}
              </button>
              <button type="button" class="secondary" onClick={() => setPhase({ name: 'play', at: 0 })}>
                {t('play.start_over')}
              </button>
            </div>
          )}
          {ended && next && (
            <section class="up-next" aria-label={t('play.up_next')}>
              <h2>{t('play.up_next')}</h2>
              <p>{next.label}</p>
              <p class="actions">
                <a class="button" href={`#/play/episode/${encodeURIComponent(next.id)}/${encodeURIComponent(next.fileId)}`}>
                  {countdown !== null ? t('play.next_in', { n: countdown }) : t('play.play_next')}
                </a>
                {countdown !== null && (
                  <button type="button" class="secondary" onClick={() => setCountdown(null)}>
                    {t('common.cancel')}
                  </button>
                )}
              </p>
            </section>
          )}
        </div>
      )}

      {check.verdict === 'audio' && playing && (
        <p class="notice" role="status">
          {t('play.audio_unsupported', { what: describe(check.problems) })}{' '}
          <a href={src} download={basename(file.rel_path)}>
            {t('play.download')}
          </a>
        </p>
      )}

      {canProgress && (
        <div class="actions player-actions">
          <span class="watch-state" role="status">
            {watch.watched ? t('play.is_watched') : t('play.not_watched')}
          </span>
          {watch.watched ? (
            <button type="button" class="secondary" disabled={busy} onClick={() => markWatched(false)}>
              {t('play.mark_unwatched')}
            </button>
          ) : (
            <button type="button" class="secondary" disabled={busy} onClick={() => markWatched(true)}>
              {t('play.mark_watched')}
            </button>
          )}
        </div>
      )}
      {actionError && <ErrorBox error={actionError} />}
      <p class="muted keys-help">{t('play.keys_help')}</p>
    </main>
  );
}

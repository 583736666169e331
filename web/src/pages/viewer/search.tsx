// Search: a box that suggests movies, series and episodes while typing
// (ARIA combobox with a listbox), and the results page grouped by kind.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Page, query } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { get } from './net';
import { navigate } from '../../lib/router';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, Poster, Spinner } from '../../components/common';
import { episodeTitle } from './format';
import { MovieCard } from './movie';
import { EpisodeCard, SeriesCard } from './series';
import { ComboState, comboKey, comboOptions, Entry, entryPath, groupHits, mergeSuggestions } from './search-logic';
import { useTitle } from './parts';
import type { MultiHit, Suggestion } from './types';
import './viewer.css';

/** Wait this long after the last key before asking the server. */
const DEBOUNCE_MS = 180;
const MIN_CHARS = 2;

let boxes = 0;

async function suggest(q: string, signal: AbortSignal): Promise<Entry[]> {
  // either answer alone is still worth showing; an abort is checked by the caller
  const [auto, multi] = await Promise.all([
    api
      .get<{ items: Suggestion[] }>(`/search/movies/autocomplete${query({ q, limit: 6 })}`, { signal })
      .then((r) => r.items, () => [] as Suggestion[]),
    api.get<Page<MultiHit>>(`/search/multi${query({ q, limit: 10 })}`, { signal }).then((r) => r.items, () => [] as MultiHit[]),
  ]);
  return mergeSuggestions(auto, multi, 8, episodeTitle);
}

export function SearchBox({ initial, onSubmit, autoFocus }: { initial: string; onSubmit: (q: string) => void; autoFocus?: boolean }) {
  const [id] = useState(() => `search-${++boxes}`);
  const [text, setText] = useState(initial);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [st, setSt] = useState<ComboState>({ open: false, active: -1 });
  const focused = useRef(false);
  const inflight = useRef<AbortController | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => setText(initial), [initial]);
  useEffect(() => {
    if (autoFocus) input.current?.focus();
    return () => {
      inflight.current?.abort();
      clearTimeout(timer.current);
    };
  }, []);

  const lookup = (q: string) => {
    inflight.current?.abort();
    inflight.current = null;
    clearTimeout(timer.current);
    if (q.trim().length < MIN_CHARS) {
      setEntries([]);
      setSt({ open: false, active: -1 });
      return;
    }
    timer.current = setTimeout(() => {
      const ctl = new AbortController();
      inflight.current = ctl;
      suggest(q.trim(), ctl.signal).then((list) => {
        if (ctl.signal.aborted) return;
        setEntries(list);
        setSt(comboOptions(list.length, focused.current));
      });
    }, DEBOUNCE_MS);
  };

  const choose = (e: Entry) => {
    inflight.current?.abort();
    clearTimeout(timer.current);
    setSt({ open: false, active: -1 });
    navigate(entryPath(e));
  };

  const submit = () => {
    inflight.current?.abort();
    clearTimeout(timer.current);
    setSt({ open: false, active: -1 });
    const q = text.trim();
    if (q) onSubmit(q);
  };

  const onKey = (ev: KeyboardEvent) => {
    const r = comboKey(st, ev.key, entries.length);
    if (!r.handled) return;
    ev.preventDefault();
    setSt(r.state);
    if (r.action === 'choose') choose(entries[st.active]);
    else if (r.action === 'submit') submit();
    else if (r.action === 'clear') {
      setText('');
      lookup('');
    }
  };

  const listId = `${id}-list`;
  const optId = (i: number) => `${id}-opt-${i}`;
  const open = st.open && entries.length > 0;
  return (
    <form
      class="search-box"
      role="search"
      onSubmit={(ev) => {
        ev.preventDefault();
        submit();
      }}
    >
      <label class="sr-only" for={id}>
        {t('search.label')}
      </label>
      <div class="combo">
        <input
          ref={input}
          id={id}
          type="search"
          role="combobox"
          autoComplete="off"
          spellcheck={false}
          placeholder={t('search.placeholder')}
          aria-autocomplete="list"
          aria-expanded={open}
          aria-controls={listId}
          aria-activedescendant={open && st.active >= 0 ? optId(st.active) : undefined}
          value={text}
          maxLength={200}
          onInput={(ev) => {
            const v = (ev.target as HTMLInputElement).value;
            setText(v);
            lookup(v);
          }}
          onKeyDown={onKey}
          onFocus={() => {
            focused.current = true;
            if (entries.length) setSt({ open: true, active: -1 });
          }}
          onBlur={() => {
            focused.current = false;
            setSt({ open: false, active: -1 });
          }}
        />
        <ul id={listId} role="listbox" class="suggestions" hidden={!open} aria-label={t('search.suggestions')}>
          {entries.map((e, i) => (
            <li
              key={e.key}
              id={optId(i)}
              role="option"
              aria-selected={i === st.active}
              class={i === st.active ? 'active' : ''}
              // mousedown, not click: the input keeps its focus until the choice is made
              onMouseDown={(ev) => {
                ev.preventDefault();
                choose(e);
              }}
            >
              <Poster src={e.image} alt="" wide={e.type === 'episode'} />
              <span class="sugg-text">
                <span class="sugg-title">{e.title}</span>
                <span class="sugg-detail">
                  {t('search.type_' + e.type)}
                  {e.detail ? ` · ${e.detail}` : ''}
                </span>
              </span>
            </li>
          ))}
        </ul>
      </div>
      <button type="submit">{t('search.submit')}</button>
      <span class="sr-only" aria-live="polite">
        {open ? t('search.n_suggestions', { n: entries.length }) : ''}
      </span>
    </form>
  );
}

const RESULTS = 48;

export function SearchPage({ query: hashQuery }: PageProps) {
  const q = (hashQuery.get('q') ?? '').trim();
  // pages after the first; cursor undefined until one was loaded
  const [more, setMore] = useState<{ hits: MultiHit[]; cursor?: string | null }>({ hits: [] });
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  const first = useLoad(
    async (signal) => (q ? get<Page<MultiHit>>(`/search/multi${query({ q, limit: RESULTS })}`, signal) : null),
    [q],
  );
  useTitle(q ? t('search.title_q', { q }) : t('search.title'));
  useEffect(() => setMore({ hits: [] }), [q]);

  const cursor = more.cursor === undefined ? first.data?.next_cursor ?? null : more.cursor;
  // while a new query loads, the old answer is not shown under it
  const hits = first.loading ? [] : [...(first.data?.items ?? []), ...more.hits];
  const g = groupHits(hits);
  const loadMore = async () => {
    if (!cursor) return;
    setMoreBusy(true);
    setMoreError(undefined);
    try {
      const p = await get<Page<MultiHit>>(`/search/multi${query({ q, limit: RESULTS, cursor })}`);
      setMore((m) => ({ hits: [...m.hits, ...p.items], cursor: p.next_cursor ?? null }));
    } catch (e) {
      setMoreError(e as Error);
    } finally {
      setMoreBusy(false);
    }
  };

  return (
    <main class="page search-page">
      <h1>{t('search.title')}</h1>
      <SearchBox initial={q} autoFocus={!q} onSubmit={(x) => navigate('/search', { q: x })} />
      {first.error && <ErrorBox error={first.error} retry={first.reload} />}
      {q && first.loading && !first.data && <Spinner />}
      {q && first.data && hits.length === 0 && <p class="empty-text">{t('search.none', { q })}</p>}
      {g.movies.length > 0 && (
        <section class="section" aria-labelledby="res-movies">
          <h2 id="res-movies">{t('search.movies')}</h2>
          <div class="grid">{g.movies.map((m) => <MovieCard key={m.id} m={m} />)}</div>
        </section>
      )}
      {g.series.length > 0 && (
        <section class="section" aria-labelledby="res-series">
          <h2 id="res-series">{t('search.series')}</h2>
          <div class="grid">{g.series.map((s) => <SeriesCard key={s.id} s={s} />)}</div>
        </section>
      )}
      {g.episodes.length > 0 && (
        <section class="section" aria-labelledby="res-episodes">
          <h2 id="res-episodes">{t('search.episodes')}</h2>
          <div class="grid wide-grid">{g.episodes.map((e) => <EpisodeCard key={e.id} e={e} />)}</div>
        </section>
      )}
      {moreError && <ErrorBox error={moreError} />}
      {cursor && (
        <p>
          <button type="button" class="secondary" disabled={moreBusy} onClick={loadMore}>
            {t('search.more')}
          </button>
        </p>
      )}
    </main>
  );
}

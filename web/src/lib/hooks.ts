// Small hooks every page uses: re-render on language or session changes,
// load data with cancellation, and the current hash route.
import { useEffect, useState, useCallback } from 'preact/hooks';
import { onLangChange, lang } from './i18n';
import { onSession, session, SessionState } from './session';
import { parseHash } from './router';

export function useLang(): string {
  const [seen, force] = useState(lang());
  useEffect(() => {
    const off = onLangChange(() => force(lang()));
    // a change between the first render and this effect (which Preact runs
    // after the next frame) had no listener yet
    if (seen !== lang()) force(lang());
    return off;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return lang();
}

export function useSession(): SessionState {
  const [s, setS] = useState(session());
  useEffect(() => {
    const off = onSession(() => setS(session()));
    // the answer of /users/me can come before this effect runs (after the
    // next frame): without this the shell waited on "Loading…" for ever
    setS(session());
    return off;
  }, []);
  return s;
}

export function useHash(): { path: string; query: URLSearchParams } {
  const [h, setH] = useState(() => ({ ...parseHash(location.hash), hash: location.hash }));
  useEffect(() => {
    const on = () => setH({ ...parseHash(location.hash), hash: location.hash });
    window.addEventListener('hashchange', on);
    // a change before this effect ran (Preact runs it after the next frame)
    if (location.hash !== h.hash) on();
    return () => window.removeEventListener('hashchange', on);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return h;
}

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Run load() whenever deps change; an answer for old deps is dropped. The
 * signal aborts the fetch when the page moves on.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    setError(undefined);
    load(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setLoading(false);
      },
      (e: Error) => {
        if (ctl.signal.aborted || e.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick, lang()]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

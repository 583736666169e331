// Hash routing (#/movies/3f…?sort=title): nginx serves one index.html and
// never needs to know the client's paths, and a reload keeps the page.

export interface Route {
  /** the path after '#', without the query: '/movies/abc' */
  path: string;
  /** named segments of the matched pattern */
  params: Record<string, string>;
  /** the query after '?' in the hash */
  query: URLSearchParams;
}

/** Split '#/a/b?x=1' into path and query. */
export function parseHash(hash: string): { path: string; query: URLSearchParams } {
  let h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('/')) h = '/' + h;
  const q = h.indexOf('?');
  const path = q < 0 ? h : h.slice(0, q);
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
}

/**
 * Match a path against a pattern like '/movies/:id'. Segments are compared
 * decoded; returns the named segments or null.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  if (ps.length !== xs.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < ps.length; i++) {
    if (ps[i].startsWith(':')) {
      try {
        params[ps[i].slice(1)] = decodeURIComponent(xs[i]);
      } catch {
        return null;
      }
    } else if (ps[i] !== xs[i]) return null;
  }
  return params;
}

/** The href of a client path, for <a href>. */
export function href(path: string, params?: Record<string, string | number | undefined>): string {
  let q = '';
  if (params) {
    const u = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
    const s = u.toString();
    if (s) q = '?' + s;
  }
  return '#' + path + q;
}

export function navigate(path: string, params?: Record<string, string | number | undefined>, replace = false): void {
  const target = href(path, params);
  if (replace) history.replaceState(null, '', target);
  else location.hash = target;
  if (replace) window.dispatchEvent(new HashChangeEvent('hashchange'));
}

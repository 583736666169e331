// The one way the client talks to the server: the public /api/v1 routes,
// with the session in the HttpOnly `revenge_session` cookie and, on every
// request that changes state, the X-CSRF-Token header read from the
// `revenge_csrf` cookie (docs/internals/auth.md).

export const API_BASE = '/api/v1';

/** An RFC 9457 problem the server answered with (or a network failure). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
  /** The name of the field a 400/422 problem blames, if any. */
  get field(): string | undefined {
    return this.problem.field ?? this.problem.errors?.[0]?.field;
  }
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  field?: string;
  errors?: { field?: string; detail?: string }[];
}

/** A page of a list route: offset pages carry total, cursor pages next_cursor. */
export interface Page<T> {
  items: T[];
  total?: number;
  limit?: number;
  offset?: number;
  next_cursor?: string | null;
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the server says the session is gone (401 on a non-auth route). */
export function onUnauthorized(fn: Listener): () => void {
  unauthorizedListeners.add(fn);
  return () => unauthorizedListeners.delete(fn);
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/** A query string from an object; undefined, null and '' values are left out. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOptions {
  signal?: AbortSignal;
  /** Extra headers (Accept-Language is the browser's own). */
  headers?: Record<string, string>;
  /** Let the request outlive the page (a last report on pagehide or leaving a route). */
  keepalive?: boolean;
  /**
   * Attempts after a 429 (default RETRIES): 0 where the limit is an
   * hourly one of the route itself (mail requests), so the refusal shows
   * at once instead of after half a minute of waiting.
   */
  retries?: number;
}

/** Attempts after the first when the server's rate limit answers 429. */
export const RETRIES = 3;

/**
 * How long to wait before retry `attempt` (0-based): the server's
 * Retry-After seconds when it sent them (at most 10 s), else 1 s, 2 s, 4 s.
 */
export function retryDelay(attempt: number, retryAfter?: string | null): number {
  const secs = retryAfter == null || retryAfter.trim() === '' ? NaN : Number(retryAfter);
  if (Number.isFinite(secs) && secs >= 0) return Math.max(250, Math.min(secs, 10) * 1000);
  return 1000 * 2 ** attempt;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One API call. A 429 from the rate limit (per client address; a detail
 * page asks for several parts at once, and a household shares an address)
 * is retried after the wait the server names: the limit answers before any
 * handler runs, so repeating any method is safe. A keepalive request (a
 * last report as the page goes away) is never held back to wait.
 */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: RequestOptions = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (!SAFE.has(method)) {
    const csrf = readCookie('revenge_csrf');
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let payload: BodyInit | undefined;
  if (body instanceof Blob) {
    // a file goes as it is, typed as the browser typed it (an avatar)
    headers['Content-Type'] = body.type || 'application/octet-stream';
    payload = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  let res: Response;
  for (let attempt = 0; ; attempt++) {
    try {
      res = await fetch(API_BASE + path, {
        method,
        headers,
        body: payload,
        credentials: 'same-origin',
        signal: opts.signal,
        keepalive: opts.keepalive,
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(0, { title: 'Network error', detail: (e as Error).message });
    }
    if (res.status !== 429 || opts.keepalive || attempt >= (opts.retries ?? RETRIES)) break;
    await sleep(retryDelay(attempt, res.headers.get('Retry-After')), opts.signal);
  }
  if (res.status === 204 || res.status === 304) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await res.json().catch(() => ({})) : await res.text();
  if (!res.ok) {
    const problem: Problem = typeof data === 'object' && data ? (data as Problem) : { detail: String(data) };
    if (res.status === 401 && !path.startsWith('/auth/')) unauthorizedListeners.forEach((fn) => fn());
    throw new ApiError(res.status, { status: res.status, ...problem });
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, undefined, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, body, opts),
  put: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', path, body, opts),
  patch: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', path, body, opts),
  del: <T>(path: string, opts?: RequestOptions) => request<T>('DELETE', path, undefined, opts),
};

// The viewer's API calls, retried when the server's rate limit answers 429.
// The limit is per client address (10 requests a second, a burst of 20 by
// default), and a detail page asks for five or more parts at once, so a
// quick succession of pages (or a household behind one address) meets it.
// A 429 is given before the handler runs, so repeating any method is safe.
import { ApiError, request } from '../../lib/api';

/** Attempts after the first. */
export const RETRIES = 3;

/** How long to wait before retry `attempt` (0-based): 1 s, 2 s, 4 s. */
export function retryDelay(attempt: number): number {
  return 1000 * 2 ** attempt;
}

/** Whether an error is worth another attempt. */
export function retryable(e: unknown, attempt: number): boolean {
  return e instanceof ApiError && e.status === 429 && attempt < RETRIES;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DOMException('aborted', 'AbortError'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request<T>(method, path, body, { signal });
    } catch (e) {
      if (!retryable(e, attempt)) throw e;
      await sleep(retryDelay(attempt), signal);
    }
  }
}

export const get = <T>(path: string, signal?: AbortSignal) => call<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body?: unknown) => call<T>('POST', path, body);
export const del = <T>(path: string) => call<T>('DELETE', path);


// The viewer's shorthand for API calls with the abort signal in second place
// (what useLoad hands over). Retrying over the rate limit is lib/api's.
import { api } from '../../lib/api';

export const get = <T>(path: string, signal?: AbortSignal) => api.get<T>(path, { signal });
export const post = <T>(path: string, body?: unknown) => api.post<T>(path, body);
export const del = <T>(path: string) => api.del<T>(path);

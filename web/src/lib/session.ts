// Who is logged in: the account from GET /users/me (with its effective
// permissions) and the preferences that pick the interface language.
import { api, ApiError } from './api';
import { pickLang, setLang } from './i18n';

export interface Me {
  id: string;
  username: string;
  display_name?: string | null;
  email?: string | null;
  email_verified?: boolean;
  avatar_url?: string | null;
  locale?: string | null;
  timezone?: string | null;
  roles?: string[];
  permissions?: string[];
}

export interface Preferences {
  theme: 'system' | 'light' | 'dark';
  display_language: string;
  metadata_language: string | null;
  content_languages: string[];
  show_adult: boolean;
  show_spoilers: boolean;
  autoplay: boolean;
  max_age_rating: number | null;
  rating_country: string;
  allow_unrated: boolean;
  /** an administrator locked the three parental fields */
  parental_locked?: boolean;
  updated_at: string;
}

export interface SessionState {
  me: Me | null;
  prefs: Preferences | null;
  /** false until the first /users/me answered */
  ready: boolean;
}

let state: SessionState = { me: null, prefs: null, ready: false };
const listeners = new Set<() => void>();

export function session(): SessionState {
  return state;
}

export function onSession(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(next: Partial<SessionState>): void {
  state = { ...state, ...next };
  listeners.forEach((fn) => fn());
}

/** Whether the user holds a permission (the admin role holds 'admin:*'). */
export function can(permission: string, me: Me | null = state.me): boolean {
  const p = me?.permissions ?? [];
  return p.includes('admin:*') || p.includes(permission);
}

/** Whether any admin page is for this user. */
export function isAdmin(me: Me | null = state.me): boolean {
  return (
    can('users:list', me) ||
    can('libraries:create', me) ||
    can('jobs:list', me) ||
    can('settings:write', me) ||
    can('audit:read', me)
  );
}

export function applyTheme(theme: string | undefined): void {
  if (typeof document === 'undefined') return;
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

/** Load the account and preferences; a 401 leaves the user logged out. */
export async function loadSession(): Promise<void> {
  try {
    const me = await api.get<Me>('/users/me');
    let prefs: Preferences | null = null;
    try {
      prefs = await api.get<Preferences>('/users/me/preferences');
    } catch {
      prefs = null;
    }
    setLang(pickLang(prefs?.display_language ?? me.locale, navigator.languages ?? [navigator.language]));
    applyTheme(prefs?.theme);
    set({ me, prefs, ready: true });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) console.warn('session', e);
    setLang(pickLang(null, navigator.languages ?? [navigator.language]));
    set({ me: null, prefs: null, ready: true });
  }
}

/** What a login answers instead of a session when a second factor is due. */
export interface MfaChallenge {
  mfa_required: true;
  /** a role requires MFA and the account has none yet: set it up first */
  mfa_setup_required?: boolean;
  mfa_token: string;
  expires_in: number;
  methods: string[];
}

export function isChallenge(x: unknown): x is MfaChallenge {
  const c = x as MfaChallenge | null;
  return !!c && typeof c === 'object' && c.mfa_required === true && typeof c.mfa_token === 'string';
}

/**
 * Log in. When the account has a second factor the server answers a
 * challenge instead of a session: it is returned for the next step
 * (finishMfa, or TOTP setup with the token); otherwise null, signed in.
 */
export async function login(username: string, password: string): Promise<MfaChallenge | null> {
  const r = await api.post<unknown>('/auth/login', { username, password, cookie: true, device_name: deviceName() });
  if (isChallenge(r)) return r;
  await loadSession();
  return null;
}

/** The second step: a code of the authenticator or a backup code. */
export async function finishMfa(token: string, answer: { code: string } | { backup_code: string }): Promise<void> {
  await api.post('/auth/mfa', { mfa_token: token, ...answer });
  await loadSession();
}

export async function logout(): Promise<void> {
  try {
    await api.post('/auth/logout');
  } finally {
    set({ me: null, prefs: null, ready: true });
  }
}

export function setPrefs(prefs: Preferences): void {
  setLang(pickLang(prefs.display_language, navigator.languages ?? [navigator.language]));
  applyTheme(prefs.theme);
  set({ prefs });
}

/** Forget the session locally (the server already said 401). */
export function dropSession(): void {
  if (state.me) set({ me: null, prefs: null, ready: true });
}

function deviceName(): string {
  const ua = navigator.userAgent;
  const browser = /Firefox\//.test(ua) ? 'Firefox' : /Edg\//.test(ua) ? 'Edge' : /Chrom/.test(ua) ? 'Chromium' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  return `Web (${browser})`;
}

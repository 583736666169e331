// The pages the account mails link to (<link_url>/#/reset-password?token=…
// and /#/verify-email?token=…; docs/internals/mail.md). They work signed in
// or not, so the shell shows them before it asks for a session.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../../lib/i18n';
import { api, ApiError } from '../../lib/api';
import { dropSession, loadSession, session } from '../../lib/session';
import { navigate } from '../../lib/router';
import type { PageProps } from '../../lib/routes';

/** Whether the server refused the mail's token (400 naming it). */
function badToken(e: unknown): boolean {
  return e instanceof ApiError && e.status === 400 && e.field === 'token';
}

export function ResetPasswordPage({ query }: PageProps) {
  const token = query.get('token') ?? '';
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(token ? null : t('auth.reset_bad_token'));
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (next !== repeat) return setError(t('prefs.password_mismatch'));
    setBusy(true);
    try {
      await api.post('/auth/reset-password', { token, password: next });
      // every session of the account ended, this browser's too
      dropSession();
      navigate('/', { notice: 'password_reset' }, true);
    } catch (err) {
      setError(
        badToken(err)
          ? t('auth.reset_bad_token')
          : err instanceof ApiError && err.field === 'password'
            ? t('prefs.password_length')
            : (err as Error).message,
      );
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form onSubmit={submit} aria-labelledby="reset-title">
        <h1 id="reset-title">{t('auth.reset_title')}</h1>
        <label>
          {t('prefs.new_password')}
          <input
            name="new_password"
            type="password"
            required
            minLength={8}
            autoComplete="new-password"
            value={next}
            onInput={(e) => setNext((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('prefs.repeat_password')}
          <input
            name="repeat_password"
            type="password"
            required
            autoComplete="new-password"
            value={repeat}
            onInput={(e) => setRepeat((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !token}>
          {t('auth.reset_submit')}
        </button>
        <a class="button secondary" href="#/">
          {t('auth.back_to_login')}
        </a>
      </form>
    </main>
  );
}

export function VerifyEmailPage({ query }: PageProps) {
  const token = query.get('token') ?? '';
  const [state, setState] = useState<'busy' | 'done' | 'bad' | 'error'>(token ? 'busy' : 'bad');
  const [message, setMessage] = useState('');
  useEffect(() => {
    if (!token) return;
    api.post('/auth/verify-email', { token }).then(
      () => {
        setState('done');
        // a signed-in account shows its address as confirmed from now on
        if (session().me) void loadSession();
      },
      (err) => {
        setState(badToken(err) ? 'bad' : 'error');
        setMessage((err as Error).message);
      },
    );
  }, [token]);
  return (
    <main class="login">
      <div class="step" aria-labelledby="verify-title" role="group">
        <h1 id="verify-title">{t('auth.verify_title')}</h1>
        {state === 'busy' && <p role="status">{t('auth.verify_busy')}</p>}
        {state === 'done' && (
          <p class="notice" role="status">
            {t('auth.verify_done')}
          </p>
        )}
        {state === 'bad' && (
          <p class="form-error" role="alert">
            {t('auth.verify_bad_token')}
          </p>
        )}
        {state === 'error' && (
          <p class="form-error" role="alert">
            {message || t('common.error')}
          </p>
        )}
        <a class="button" href="#/">
          {t('auth.continue')}
        </a>
      </div>
    </main>
  );
}

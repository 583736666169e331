// "Forgot password?": the address goes to the server, which answers the
// same whether or not an account has it, so the page says only that a
// mail is on its way if one does.
import { useState } from 'preact/hooks';
import { t } from '../../lib/i18n';
import { api, ApiError } from '../../lib/api';

export function ForgotPassword({ onBack }: { onBack: () => void }) {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // the limit is per hour: no point waiting for it
      await api.post('/auth/forgot-password', { email: email.trim() }, { retries: 0 });
      setSent(true);
    } catch (err) {
      const st = err instanceof ApiError ? err.status : 0;
      setError(st === 429 ? t('auth.forgot_too_many') : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t('auth.forgot_title')}</h1>
      {sent ? (
        <p class="notice" role="status">
          {t('auth.forgot_sent')}
        </p>
      ) : (
        <>
          <p>{t('auth.forgot_intro')}</p>
          <label>
            {t('auth.email')}
            <input
              name="email"
              type="email"
              autoComplete="email"
              required
              maxLength={254}
              value={email}
              onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
            />
          </label>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy}>
            {t('auth.forgot_submit')}
          </button>
        </>
      )}
      <button type="button" class="link" onClick={onBack}>
        {t('auth.back_to_login')}
      </button>
    </form>
  );
}

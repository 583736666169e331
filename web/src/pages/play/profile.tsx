// The account's picture and the state of its e-mail address, parts of the
// preferences page.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { t } from '../../lib/i18n';
import { can, loadSession, Me } from '../../lib/session';
import { AVATAR_TYPES, avatarProblem } from '../auth/logic';

export function AvatarSection({ me }: { me: Me }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  const editable = can('profile:update');

  async function run(call: () => Promise<unknown>, done: string) {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      await call();
      await loadSession();
      setStatus(done);
    } catch (err) {
      // the server's problem detail says what is wrong with the picture
      setError((err as Error).message || t('common.error'));
    } finally {
      setBusy(false);
    }
  }

  function choose(e: Event) {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    const problem = avatarProblem(file);
    if (problem) {
      setStatus('');
      setError(t(problem === 'type' ? 'avatar.bad_type' : 'avatar.too_big'));
      return;
    }
    // the File is the body, typed as the browser typed it
    void run(() => api.post('/users/me/avatar', file), t('avatar.uploaded'));
  }

  const name = me.display_name || me.username;
  return (
    <section class="prefs-section" aria-labelledby="prefs-avatar">
      <h2 id="prefs-avatar">{t('avatar.title')}</h2>
      <div class="avatar-row">
        {me.avatar_url ? (
          <img class="avatar avatar-large" src={me.avatar_url} alt={t('avatar.alt')} width={96} height={96} />
        ) : (
          <div class="avatar avatar-large empty" role="img" aria-label={t('avatar.none')}>
            <span>{name.slice(0, 1).toUpperCase()}</span>
          </div>
        )}
        {editable && (
          <div>
            <label class="button secondary file-button">
              {t('avatar.choose')}
              <input type="file" name="avatar" accept={AVATAR_TYPES.join(',')} disabled={busy} onChange={choose} />
            </label>
            {me.avatar_url && (
              <button
                type="button"
                class="secondary"
                disabled={busy}
                onClick={() => run(() => api.del('/users/me/avatar'), t('avatar.removed'))}
              >
                {t('avatar.remove')}
              </button>
            )}
            <p class="hint">{t('avatar.hint')}</p>
          </div>
        )}
      </div>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <p class="status" role="status">
        {status}
      </p>
    </section>
  );
}

/** Whether the address is confirmed, and a new confirmation mail if not. */
export function EmailVerification({ me }: { me: Me }) {
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  if (me.email_verified === undefined || !me.email) return null;
  if (me.email_verified)
    return (
      <p class="email-state verified">
        <span class="badge">{t('email.verified')}</span>
      </p>
    );

  async function resend() {
    setBusy(true);
    setError(null);
    setStatus('');
    try {
      // the limit is per hour: no point waiting for it
      await api.post('/users/me/verify-email', undefined, { retries: 0 });
      setStatus(t('email.resent'));
    } catch (err) {
      const e = err instanceof ApiError ? err : null;
      if (e?.status === 409 && e.field === 'email') await loadSession();
      else
        setError(
          e?.status === 409 ? t('email.no_mail') : e?.status === 429 ? t('email.resend_limit') : (err as Error).message,
        );
    } finally {
      setBusy(false);
    }
  }
  return (
    <div class="email-state">
      <p class="muted">{t('email.unverified')}</p>
      {can('profile:update') && (
        <button type="button" class="secondary" disabled={busy} onClick={resend}>
          {t('email.resend')}
        </button>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <p class="status" role="status">
        {status}
      </p>
    </div>
  );
}

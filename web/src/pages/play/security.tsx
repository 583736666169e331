// The account's second factor: its state, setting TOTP up (QR code, key,
// a first code, the backup codes shown once), new backup codes, and
// turning it off, both confirmed with a current code or the password.
import { useState } from 'preact/hooks';
import { api, ApiError, request } from '../../lib/api';
import { formatDate, formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can } from '../../lib/session';
import { ErrorBox, Spinner } from '../../components/common';
import { cleanCode } from '../auth/logic';
import { BackupCodes, TotpSetup, TotpSetupForm } from '../auth/mfa';
import { AccountTabs } from './tabs';
import './play.css';

interface MfaStatus {
  enabled: boolean;
  pending: boolean;
  backup_codes_remaining: number;
  required_by_role: boolean;
  enabled_at: string | null;
  methods: string[];
}

/** What a refused MFA change means here, in the interface's language. */
function explain(err: unknown): string {
  const e = err instanceof ApiError ? err : null;
  if (e?.status === 400 && e.field === 'code') return t('auth.mfa_wrong');
  if (e?.status === 403 && (e.field === 'code' || e.field === 'password')) return t('security.confirm_wrong');
  // no field: a role of the account requires MFA
  if (e?.status === 403 && !e.field) return t('security.cannot_disable');
  if (e?.status === 503) return t('security.unavailable');
  return (err as Error).message || t('common.error');
}

export function SecurityPage() {
  const status = useLoad((signal) => api.get<MfaStatus>('/mfa/status', { signal }), []);
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [action, setAction] = useState<'regenerate' | 'disable' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [busy, setBusy] = useState(false);
  const editable = can('profile:update');
  const st = status.data;

  async function begin() {
    setBusy(true);
    setError(null);
    setNotice('');
    try {
      setSetup(await api.post<TotpSetup>('/mfa/totp/setup'));
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  async function verify(code: string) {
    const r = await api.post<{ backup_codes: string[] }>('/mfa/totp/verify', { code });
    setSetup(null);
    setCodes(r.backup_codes);
    setNotice(t('security.enabled'));
    status.reload();
  }

  async function confirm(body: { code: string } | { password: string }) {
    if (action === 'regenerate') {
      const r = await api.post<{ backup_codes: string[] }>('/mfa/backup-codes/regenerate', body);
      setCodes(r.backup_codes);
      setNotice('');
    } else {
      await request('DELETE', '/mfa/totp', body);
      setCodes(null);
      setNotice(t('security.disabled'));
    }
    setAction(null);
    status.reload();
  }

  return (
    <main class="page account-page">
      <AccountTabs current="security" />
      <h1>{t('security.title')}</h1>
      <section class="prefs-section" aria-labelledby="security-mfa">
        <h2 id="security-mfa">{t('security.mfa')}</h2>
        {status.error && <ErrorBox error={status.error} retry={status.reload} />}
        {!st && !status.error && <Spinner />}
        {st && (
          <div class="mfa-state" data-enabled={st.enabled ? 'yes' : 'no'}>
            <p>
              {st.enabled
                ? t('security.mfa_on', { date: formatDate(st.enabled_at) })
                : t('security.mfa_off')}
            </p>
            {st.required_by_role && <p class="notice">{t('security.mfa_required')}</p>}
            {st.enabled && <p class="muted">{t('security.codes_left', { n: formatNumber(st.backup_codes_remaining) })}</p>}
          </div>
        )}
        {codes && <BackupCodes codes={codes} onDone={() => setCodes(null)} />}
        {st && editable && !st.enabled && !setup && !codes && (
          <button type="button" disabled={busy} onClick={begin}>
            {t('security.setup')}
          </button>
        )}
        {setup && (
          <>
            <p>{t('security.setup_intro')}</p>
            <TotpSetupForm setup={setup} verify={verify} explain={explain} />
            <button type="button" class="link" onClick={() => setSetup(null)}>
              {t('common.cancel')}
            </button>
          </>
        )}
        {st && editable && st.enabled && !codes && !action && (
          <div class="actions">
            <button type="button" class="secondary" onClick={() => setAction('regenerate')}>
              {t('security.regenerate')}
            </button>
            {!st.required_by_role && (
              <button type="button" class="secondary" onClick={() => setAction('disable')}>
                {t('security.disable')}
              </button>
            )}
          </div>
        )}
        {action && (
          <ConfirmForm
            intro={action === 'regenerate' ? t('security.regenerate_intro') : t('security.disable_intro')}
            submitLabel={action === 'regenerate' ? t('security.regenerate') : t('security.disable')}
            onSubmit={confirm}
            onCancel={() => setAction(null)}
          />
        )}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <p class="status" role="status">
          {notice}
        </p>
      </section>
    </main>
  );
}

/** Proof of holding the account: a current code, or the password. */
function ConfirmForm({
  intro,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  intro: string;
  submitLabel: string;
  onSubmit: (body: { code: string } | { password: string }) => Promise<void>;
  onCancel: () => void;
}) {
  const [withPassword, setWithPassword] = useState(false);
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(withPassword ? { password: value } : { code: cleanCode(value) });
    } catch (err) {
      setError(explain(err));
      setValue('');
      setBusy(false);
    }
  }
  return (
    <form class="confirm-form" onSubmit={submit}>
      <p>{intro}</p>
      <fieldset class="choices wrap">
        <legend>{t('security.confirm_with')}</legend>
        <label class="inline">
          <input type="radio" name="confirm_with" checked={!withPassword} onChange={() => (setWithPassword(false), setValue(''))} />
          {t('security.confirm_code')}
        </label>
        <label class="inline">
          <input type="radio" name="confirm_with" checked={withPassword} onChange={() => (setWithPassword(true), setValue(''))} />
          {t('security.confirm_password')}
        </label>
      </fieldset>
      <label>
        {withPassword ? t('login.password') : t('auth.mfa_code')}
        {/* keyed: one element reused for both would keep the code's maxLength as 0 */}
        {withPassword ? (
          <input
            key="password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        ) : (
          <input
            key="code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={8}
            required
            value={value}
            onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          />
        )}
      </label>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {submitLabel}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

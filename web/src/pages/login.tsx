// The login page and its other steps: the second factor after a challenge
// (or its first setup, when a role requires it), the forgotten-password
// form, and the single sign-on providers the server offers.
import { useEffect, useState } from 'preact/hooks';
import { t } from '../lib/i18n';
import { finishMfa, loadSession, login, MfaChallenge } from '../lib/session';
import { api, ApiError } from '../lib/api';
import { useHash } from '../lib/hooks';
import { authorizeUrl, cleanCode, mfaRefusal, parseProviders, Provider } from './auth/logic';
import { BackupCodes, CodeInput, TotpSetup, TotpSetupForm } from './auth/mfa';
import { ForgotPassword } from './auth/forgot';

type Step = { kind: 'login' } | { kind: 'forgot' } | { kind: 'mfa'; c: MfaChallenge } | { kind: 'setup'; c: MfaChallenge };

/** Notices other pages leave for the login page in the hash query (?notice=). */
const NOTICES: Record<string, string> = { password_reset: 'auth.reset_done' };

export function Login() {
  const { query } = useHash();
  const [step, setStep] = useState<Step>({ kind: 'login' });
  const [message, setMessage] = useState<string | null>(null);
  const restart = (key: string) => {
    setMessage(key ? t(key) : null);
    setStep({ kind: 'login' });
  };
  const notice = NOTICES[query.get('notice') ?? ''];
  return (
    <main class="login">
      {step.kind === 'login' && (
        <LoginForm
          notice={notice ? t(notice) : null}
          message={message}
          onChallenge={(c) => setStep({ kind: c.mfa_setup_required ? 'setup' : 'mfa', c })}
          onForgot={() => setStep({ kind: 'forgot' })}
        />
      )}
      {step.kind === 'forgot' && <ForgotPassword onBack={() => restart('')} />}
      {step.kind === 'mfa' && <MfaStep challenge={step.c} restart={restart} />}
      {step.kind === 'setup' && <MfaSetupStep challenge={step.c} restart={restart} />}
    </main>
  );
}

function LoginForm({
  notice,
  message,
  onChallenge,
  onForgot,
}: {
  notice: string | null;
  message: string | null;
  onChallenge: (c: MfaChallenge) => void;
  onForgot: () => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(message);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const c = await login(username.trim(), password);
      if (c) onChallenge(c);
    } catch (err) {
      const st = err instanceof ApiError ? err.status : 0;
      setError(
        st === 401
          ? t('login.bad_credentials')
          : st === 429
            ? t('login.too_many')
            : st === 423
              ? t('auth.mfa_locked')
              : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="login-box">
      <form onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">Revenge</h1>
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <label>
          {t('login.username')}
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t('login.password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {t('login.submit')}
        </button>
        <button type="button" class="link forgot" onClick={onForgot}>
          {t('auth.forgot_link')}
        </button>
      </form>
      <SsoButtons />
    </div>
  );
}

/**
 * One button per single sign-on provider; nothing when the server has
 * none enabled or does not know the route (an older server answers 404).
 */
function SsoButtons() {
  const [providers, setProviders] = useState<Provider[]>([]);
  useEffect(() => {
    const ctl = new AbortController();
    api.get<unknown>('/auth/providers', { signal: ctl.signal }).then(
      (r) => setProviders(parseProviders(r)),
      () => setProviders([]),
    );
    return () => ctl.abort();
  }, []);
  if (!providers.length) return null;
  const back = '/' + location.hash;
  return (
    <div class="sso" aria-label={t('auth.sso')} role="group">
      <p class="sso-or">{t('auth.sso_or')}</p>
      {providers.map((p) => (
        <a key={p.slug} class="button secondary" href={authorizeUrl(p.slug, back)}>
          {t('auth.sso_continue', { name: p.name })}
        </a>
      ))}
    </div>
  );
}

function MfaStep({ challenge, restart }: { challenge: MfaChallenge; restart: (key: string) => void }) {
  const [backup, setBackup] = useState(false);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canBackup = challenge.methods.includes('backup_code');
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await finishMfa(challenge.mfa_token, backup ? { backup_code: code.trim() } : { code: cleanCode(code) });
    } catch (err) {
      const r = mfaRefusal(err);
      if (r.restart) return restart(r.key);
      setError(r.key ? t(r.key) : (err as Error).message);
      setCode('');
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} aria-labelledby="mfa-title">
      <h1 id="mfa-title">{t('auth.mfa_title')}</h1>
      <p>{backup ? t('auth.mfa_backup_intro') : t('auth.mfa_intro')}</p>
      {backup ? (
        <label>
          {t('auth.mfa_backup_code')}
          <input
            name="backup_code"
            autoComplete="off"
            autoCapitalize="none"
            spellcheck={false}
            maxLength={32}
            required
            value={code}
            onInput={(e) => setCode((e.target as HTMLInputElement).value)}
          />
        </label>
      ) : (
        <CodeInput value={code} onInput={setCode} label={t('auth.mfa_code')} />
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy}>
        {t('auth.mfa_verify')}
      </button>
      {canBackup && (
        <button
          type="button"
          class="link"
          onClick={() => {
            setBackup(!backup);
            setCode('');
            setError(null);
          }}
        >
          {backup ? t('auth.mfa_use_app') : t('auth.mfa_use_backup')}
        </button>
      )}
      <button type="button" class="link" onClick={() => restart('')}>
        {t('auth.back_to_login')}
      </button>
    </form>
  );
}

/**
 * A role requires MFA and the account has none: set TOTP up with the
 * challenge's token (X-MFA-Token), which answers the session with the
 * backup codes; they are shown before the shell replaces this page.
 */
function MfaSetupStep({ challenge, restart }: { challenge: MfaChallenge; restart: (key: string) => void }) {
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const headers = { 'X-MFA-Token': challenge.mfa_token };
  useEffect(() => {
    api.post<TotpSetup>('/mfa/totp/setup', undefined, { headers }).then(setSetup, (err) => {
      const r = mfaRefusal(err);
      if (r.restart) restart(r.key);
      else setError(r.key ? t(r.key) : (err as Error).message);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [challenge.mfa_token]);
  const verify = async (code: string) => {
    const r = await api.post<{ backup_codes: string[] }>('/mfa/totp/verify', { code }, { headers });
    setCodes(r.backup_codes);
  };
  const explain = (err: unknown) => {
    const r = mfaRefusal(err);
    if (r.restart) restart(r.key);
    return r.key ? t(r.key) : (err as Error).message;
  };
  if (codes)
    return (
      <div class="step">
        <BackupCodes codes={codes} onDone={() => void loadSession()} />
      </div>
    );
  return (
    <div class="step" aria-labelledby="mfa-setup-title" role="group">
      <h1 id="mfa-setup-title">{t('auth.setup_title')}</h1>
      <p>{t('auth.setup_intro')}</p>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {setup && <TotpSetupForm setup={setup} verify={verify} explain={explain} />}
      <button type="button" class="link" onClick={() => restart('')}>
        {t('auth.back_to_login')}
      </button>
    </div>
  );
}

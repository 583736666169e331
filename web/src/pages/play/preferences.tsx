// The viewer's own settings: display (saved as soon as changed, so a new
// language or theme applies at once), parental limits (a form of their
// own, since an administrator may have locked them), the profile and the
// password.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { LANGUAGES, lang, t } from '../../lib/i18n';
import { useLoad, useSession } from '../../lib/hooks';
import { can, loadSession, Me, Preferences, setPrefs } from '../../lib/session';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import { AGE_LIMITS, PARENTAL_FIELDS, changed, countryCode, isParentalLock, toggleLanguage } from './account';
import { languageName } from './subtitles';
import { AvatarSection, EmailVerification } from './profile';
import { AccountTabs } from './tabs';
import './play.css';

const THEMES = ['system', 'light', 'dark'] as const;

function nativeName(code: string): string {
  return languageName(code, code) ?? code;
}

export function PreferencesPage() {
  const s = useSession();
  const prefs = useLoad((signal) => api.get<Preferences>('/users/me/preferences', { signal }), []);
  const me = s.me;
  return (
    <main class="page account-page">
      <AccountTabs current="preferences" />
      <h1>{t('prefs.title')}</h1>
      {prefs.error && <ErrorBox error={prefs.error} retry={prefs.reload} />}
      {!prefs.data && !prefs.error && <Spinner />}
      {prefs.data && <DisplaySection initial={prefs.data} />}
      {prefs.data && <ParentalSection initial={prefs.data} />}
      {me && <AvatarSection me={me} />}
      {me && <ProfileSection me={me} />}
      {me && can('profile:update') && <PasswordSection />}
    </main>
  );
}

function DisplaySection({ initial }: { initial: Preferences }) {
  const [p, setP] = useState(initial);
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const editable = can('profile:update');

  async function update(patch: Partial<Preferences>) {
    const before = p;
    setP({ ...p, ...patch });
    setError(null);
    setStatus(t('prefs.saving'));
    try {
      const saved = await api.put<Preferences>('/users/me/preferences', patch);
      setP(saved);
      setPrefs(saved);
      setStatus(t('common.saved'));
    } catch (e) {
      setP(before);
      setError(e);
      setStatus('');
    }
  }

  const metaChoices = [...new Set([...LANGUAGES, ...(p.metadata_language ? [p.metadata_language] : [])])];
  const contentChoices = [...new Set([...LANGUAGES, ...p.content_languages])];
  return (
    <section class="prefs-section" aria-labelledby="prefs-display">
      <h2 id="prefs-display">{t('prefs.display')}</h2>
      <fieldset disabled={!editable}>
        <label>
          {t('prefs.display_language')}
          <select
            name="display_language"
            value={p.display_language}
            onChange={(e) => update({ display_language: (e.target as HTMLSelectElement).value })}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l} lang={l}>
                {nativeName(l)}
              </option>
            ))}
          </select>
        </label>
        <FieldError error={error} field="display_language" />

        <fieldset class="choices wrap">
          <legend>{t('prefs.theme')}</legend>
          {THEMES.map((th) => (
            <label key={th} class="inline">
              <input
                type="radio"
                name="theme"
                value={th}
                checked={p.theme === th}
                onChange={() => update({ theme: th })}
              />
              {t(`prefs.theme_${th}`)}
            </label>
          ))}
        </fieldset>
        <FieldError error={error} field="theme" />

        <label>
          {t('prefs.metadata_language')}
          <select
            name="metadata_language"
            value={p.metadata_language ?? ''}
            onChange={(e) => update({ metadata_language: (e.target as HTMLSelectElement).value || null })}
          >
            <option value="">{t('prefs.metadata_language_auto')}</option>
            {metaChoices.map((l) => (
              <option key={l} value={l}>
                {languageName(l, lang())}
              </option>
            ))}
          </select>
        </label>
        <p class="hint">{t('prefs.metadata_language_hint')}</p>
        <FieldError error={error} field="metadata_language" />

        <fieldset class="choices wrap">
          <legend>{t('prefs.content_languages')}</legend>
          <p class="hint">{t('prefs.content_languages_hint')}</p>
          {contentChoices.map((l) => (
            <label key={l} class="inline">
              <input
                type="checkbox"
                name="content_languages"
                value={l}
                checked={p.content_languages.includes(l)}
                onChange={(e) =>
                  update({ content_languages: toggleLanguage(p.content_languages, l, (e.target as HTMLInputElement).checked) })
                }
              />
              {languageName(l, lang())}
            </label>
          ))}
        </fieldset>
        {error instanceof ApiError && error.field?.startsWith('content_languages') && (
          <p class="field-error" role="alert">
            {error.message}
          </p>
        )}

        {(['show_spoilers', 'autoplay', 'show_adult'] as const).map((k) => (
          <div key={k}>
            <label class="inline">
              <input type="checkbox" name={k} checked={p[k]} onChange={(e) => update({ [k]: (e.target as HTMLInputElement).checked })} />
              {t(`prefs.${k}`)}
            </label>
            <FieldError error={error} field={k} />
          </div>
        ))}
      </fieldset>
      <FormError
        error={error}
        fields={['display_language', 'theme', 'metadata_language', 'show_spoilers', 'autoplay', 'show_adult']}
      />
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
    </section>
  );
}

interface Parental {
  max_age_rating: number | null;
  rating_country: string;
  allow_unrated: boolean;
}

function pickParental(p: Parental): Parental {
  return { max_age_rating: p.max_age_rating, rating_country: p.rating_country, allow_unrated: p.allow_unrated };
}

/**
 * A form's save: its error, "saved" and busy states. `reset` starts a new
 * attempt; `run` asks the server, and `explain` turns a refusal into what
 * the form shows (null when the form has shown it another way).
 */
function useSave() {
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const reset = () => {
    setError(null);
    setDone(false);
  };
  async function run(call: () => Promise<void>, explain: (err: unknown) => unknown = (err) => err) {
    setBusy(true);
    try {
      await call();
      setDone(true);
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }
  return { error, setError, done, setDone, busy, reset, run };
}

function ParentalSection({ initial }: { initial: Preferences }) {
  const [saved, setSaved] = useState<Parental>(pickParental(initial));
  const [form, setForm] = useState<Parental>(pickParental(initial));
  const [country, setCountry] = useState(initial.rating_country);
  // the server says whether an administrator locked the limits; a refused
  // change (locked since the page loaded) says it too
  const [locked, setLocked] = useState(initial.parental_locked === true);
  const { error, setError, done, setDone, busy, reset, run } = useSave();

  async function submit(e: Event) {
    e.preventDefault();
    reset();
    const code = countryCode(country);
    if (!code) {
      setError(new ApiError(400, { detail: t('prefs.country_invalid'), field: 'rating_country' }));
      return;
    }
    const patch = changed(saved, { ...form, rating_country: code });
    if (!Object.keys(patch).length) {
      setDone(true);
      return;
    }
    await run(
      async () => {
        const p = await api.put<Preferences>('/users/me/preferences', patch);
        setSaved(pickParental(p));
        setForm(pickParental(p));
        setCountry(p.rating_country);
        setPrefs(p);
      },
      (err) => {
        if (!isParentalLock(err)) return err;
        setLocked(true);
        setForm(saved);
        setCountry(saved.rating_country);
        return null;
      },
    );
  }

  const readOnly = locked || !can('profile:update');
  return (
    <section class="prefs-section" aria-labelledby="prefs-parental">
      <h2 id="prefs-parental">{t('prefs.parental')}</h2>
      {locked && (
        <p class="notice parental-locked" role="status">
          {t('prefs.parental_locked')}
        </p>
      )}
      <form onSubmit={submit}>
        <fieldset disabled={readOnly}>
          <label>
            {t('prefs.max_age_rating')}
            <select
              name="max_age_rating"
              value={form.max_age_rating === null ? '' : String(form.max_age_rating)}
              onChange={(e) => {
                const v = (e.target as HTMLSelectElement).value;
                setForm({ ...form, max_age_rating: v === '' ? null : Number(v) });
              }}
            >
              <option value="">{t('prefs.no_limit')}</option>
              {[...new Set([...AGE_LIMITS, ...(form.max_age_rating !== null ? [form.max_age_rating] : [])])]
                .sort((a, b) => a - b)
                .map((n) => (
                  <option key={n} value={String(n)}>
                    {t('prefs.age_up_to', { n })}
                  </option>
                ))}
            </select>
          </label>
          <FieldError error={error} field="max_age_rating" />
          <label>
            {t('prefs.rating_country')}
            <input
              name="rating_country"
              value={country}
              maxLength={2}
              autoComplete="country"
              pattern="[A-Za-z]{2}"
              onInput={(e) => setCountry((e.target as HTMLInputElement).value)}
            />
          </label>
          <p class="hint">{t('prefs.rating_country_hint')}</p>
          <FieldError error={error} field="rating_country" />
          <label class="inline">
            <input
              type="checkbox"
              name="allow_unrated"
              checked={form.allow_unrated}
              onChange={(e) => setForm({ ...form, allow_unrated: (e.target as HTMLInputElement).checked })}
            />
            {t('prefs.allow_unrated')}
          </label>
          <FieldError error={error} field="allow_unrated" />
          {!readOnly && (
            <button type="submit" disabled={busy}>
              {t('common.save')}
            </button>
          )}
        </fieldset>
        <FormError error={error} fields={[...PARENTAL_FIELDS]} />
        {done && (
          <p class="status" role="status">
            {t('common.saved')}
          </p>
        )}
      </form>
    </section>
  );
}

function ProfileSection({ me }: { me: Me }) {
  const [name, setName] = useState(me.display_name ?? '');
  const [email, setEmail] = useState(me.email ?? '');
  const { error, done, setDone, busy, reset, run } = useSave();
  const editable = can('profile:update');

  async function submit(e: Event) {
    e.preventDefault();
    reset();
    const patch = changed(
      { display_name: me.display_name ?? null, email: me.email ?? '' },
      { display_name: name.trim() || null, email: email.trim() },
    );
    if (!Object.keys(patch).length) {
      setDone(true);
      return;
    }
    await run(
      async () => {
        await api.put('/users/me', patch);
        await loadSession();
      },
      (err) =>
        err instanceof ApiError && err.status === 409 && err.field === 'email'
          ? new ApiError(409, { ...err.problem, detail: t('prefs.email_taken') })
          : err,
    );
  }

  return (
    <section class="prefs-section" aria-labelledby="prefs-profile">
      <h2 id="prefs-profile">{t('prefs.profile')}</h2>
      <form onSubmit={submit}>
        <fieldset disabled={!editable}>
          <p class="muted">{t('prefs.username', { name: me.username })}</p>
          <label>
            {t('prefs.display_name')}
            <input name="display_name" value={name} maxLength={100} autoComplete="nickname" onInput={(e) => setName((e.target as HTMLInputElement).value)} />
          </label>
          <FieldError error={error} field="display_name" />
          <label>
            {t('prefs.email')}
            <input name="email" type="email" value={email} required autoComplete="email" onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
          </label>
          <FieldError error={error} field="email" />
          <EmailVerification me={me} />
          {editable && (
            <button type="submit" disabled={busy}>
              {t('common.save')}
            </button>
          )}
        </fieldset>
        <FormError error={error} fields={['display_name', 'email']} />
        {done && (
          <p class="status" role="status">
            {t('common.saved')}
          </p>
        )}
      </form>
    </section>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const { error, setError, done, busy, reset, run } = useSave();

  async function submit(e: Event) {
    e.preventDefault();
    reset();
    if (next !== repeat) {
      setError(new ApiError(400, { detail: t('prefs.password_mismatch'), field: 'repeat_password' }));
      return;
    }
    await run(
      async () => {
        await api.post('/auth/change-password', { current_password: current, new_password: next });
        setCurrent('');
        setNext('');
        setRepeat('');
      },
      // the interface's language rather than the server's English
      (err) => {
        if (err instanceof ApiError && err.field === 'current_password' && err.status === 403)
          return new ApiError(403, { ...err.problem, detail: t('prefs.password_wrong') });
        if (err instanceof ApiError && err.field === 'new_password' && err.status === 400)
          return new ApiError(400, { ...err.problem, detail: t('prefs.password_length') });
        return err;
      },
    );
  }

  return (
    <section class="prefs-section" aria-labelledby="prefs-password">
      <h2 id="prefs-password">{t('prefs.password')}</h2>
      <form onSubmit={submit}>
        <label>
          {t('prefs.current_password')}
          <input name="current_password" type="password" required autoComplete="current-password" value={current} onInput={(e) => setCurrent((e.target as HTMLInputElement).value)} />
        </label>
        <FieldError error={error} field="current_password" />
        <label>
          {t('prefs.new_password')}
          <input name="new_password" type="password" required minLength={8} autoComplete="new-password" value={next} onInput={(e) => setNext((e.target as HTMLInputElement).value)} />
        </label>
        <FieldError error={error} field="new_password" />
        <label>
          {t('prefs.repeat_password')}
          <input name="repeat_password" type="password" required autoComplete="new-password" value={repeat} onInput={(e) => setRepeat((e.target as HTMLInputElement).value)} />
        </label>
        <FieldError error={error} field="repeat_password" />
        <button type="submit" disabled={busy}>
          {t('prefs.change_password')}
        </button>
        <FormError error={error} fields={['current_password', 'new_password', 'repeat_password']} />
        {done && (
          <p class="status" role="status">
            {t('prefs.password_changed')}
          </p>
        )}
      </form>
    </section>
  );
}

// One account: name and e-mail, enable or disable it, its roles, its
// parental limits (and whether they are locked), delete it.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { formatDateTime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { href, navigate } from '../../lib/router';
import { can, session } from '../../lib/session';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import { parentalBody, ParentalForm } from './logic';
import type { Parental, User } from './types';
import { useRoles } from './users';
import { Badge, ConfirmButton, Notice, checked, val } from './ui';

const AGES = [0, 6, 7, 10, 12, 13, 14, 15, 16, 17, 18, 21];

function Profile({ user, onChange }: { user: User; onChange: (u: User) => void }) {
  const [name, setName] = useState(user.display_name ?? '');
  const [email, setEmail] = useState(user.email);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const editable = can('users:update');
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const body: Record<string, unknown> = {};
    const dn = name.trim() || null;
    if (dn !== user.display_name) body.display_name = dn;
    if (email.trim() !== user.email) body.email = email.trim();
    try {
      if (Object.keys(body).length) onChange(await api.patch<User>(`/admin/users/${user.id}`, body));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby="profile">
      <h2 id="profile">{t('admin.user.profile')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.users.display_name')}
          <input maxLength={100} disabled={!editable} value={name} onInput={(e) => setName(val(e))} />
          <FieldError error={error} field="display_name" />
        </label>
        <label>
          {t('admin.users.email')}
          <input type="email" required disabled={!editable} value={email} onInput={(e) => setEmail(val(e))} />
          <FieldError error={error} field="email" />
        </label>
      </div>
      <FormError error={error} fields={['display_name', 'email']} />
      {saved && <p role="status">{t('common.saved')}</p>}
      {editable && (
        <div class="actions">
          <button type="submit">{t('common.save')}</button>
        </div>
      )}
    </form>
  );
}

function Status({ user, onChange }: { user: User; onChange: (u: User) => void }) {
  const [error, setError] = useState<unknown>(null);
  const self = session().me?.id === user.id;
  const toggle = async () => {
    setError(null);
    try {
      onChange(await api.patch<User>(`/admin/users/${user.id}`, { is_active: !user.is_active }));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="status">
      <h2 id="status">{t('admin.users.status')}</h2>
      <p>
        {user.is_active ? (
          <Badge value="active" label={t('admin.users.active')} />
        ) : (
          <Badge value="disabled" label={t('admin.users.disabled')} />
        )}{' '}
        <span class="muted small">
          {user.last_login_at ? t('admin.user.last_login', { at: formatDateTime(user.last_login_at) }) : t('admin.users.never')}
        </span>
      </p>
      {can('users:update') && !self && (
        <button type="button" class="secondary" onClick={toggle}>
          {user.is_active ? t('admin.user.disable') : t('admin.user.enable')}
        </button>
      )}
      {can('users:update') && !self && user.is_active && <p class="muted small">{t('admin.user.disable_hint')}</p>}
      <FormError error={error} fields={[]} />
    </section>
  );
}

function Roles({ user, onChange }: { user: User; onChange: (roles: string[]) => void }) {
  const roles = useRoles();
  const [add, setAdd] = useState('');
  const [error, setError] = useState<unknown>(null);
  const editable = can('users:update') && session().me?.id !== user.id;
  const others = (roles.data ?? []).filter((r) => !user.roles.includes(r.name));
  useEffect(() => {
    if (!others.some((r) => r.name === add)) setAdd(others[0]?.name ?? '');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [roles.data, user.roles.join(',')]);
  const assign = async (e: Event) => {
    e.preventDefault();
    if (!add) return;
    setError(null);
    try {
      const r = await api.post<{ roles: string[] }>(`/rbac/users/${user.id}/roles`, { role: add });
      onChange(r.roles);
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (role: string) => {
    setError(null);
    try {
      await api.del(`/rbac/users/${user.id}/roles/${encodeURIComponent(role)}`);
      onChange(user.roles.filter((r) => r !== role));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="roles">
      <h2 id="roles">{t('admin.users.roles')}</h2>
      {user.roles.length === 0 && <p class="empty-text">{t('admin.user.no_roles')}</p>}
      <ul class="chips">
        {user.roles.map((r) => (
          <li key={r}>
            {r}
            {editable && (
              <button
                type="button"
                class="link chip-x"
                aria-label={t('admin.user.remove_role', { role: r })}
                onClick={() => remove(r)}
              >
                ✕
              </button>
            )}
          </li>
        ))}
      </ul>
      {editable && others.length > 0 && (
        <form class="toolbar" onSubmit={assign}>
          <label>
            {t('admin.user.add_role')}
            <select value={add} onChange={(e) => setAdd(val(e))}>
              {others.map((r) => (
                <option key={r.name} value={r.name}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">{t('admin.user.assign')}</button>
        </form>
      )}
      {!editable && session().me?.id === user.id && <p class="muted small">{t('admin.user.own_roles')}</p>}
      <FormError error={error} fields={[]} />
    </section>
  );
}

function ParentalLimits({ userId }: { userId: string }) {
  const p = useLoad((signal) => api.get<Parental>(`/admin/users/${userId}/parental`, { signal }), [userId]);
  const [f, setF] = useState<ParentalForm | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (p.data)
      setF({
        max_age_rating: p.data.max_age_rating == null ? '' : String(p.data.max_age_rating),
        rating_country: p.data.rating_country,
        allow_unrated: p.data.allow_unrated,
        locked: p.data.locked,
      });
  }, [p.data]);
  if (p.error) return <ErrorBox error={p.error} retry={p.reload} />;
  if (!f) return <Spinner />;
  const editable = can('users:update');
  const set = (patch: Partial<ParentalForm>) => {
    setSaved(false);
    setF({ ...f, ...patch });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const b = parentalBody(f);
    if ('field' in b) {
      setError({ field: b.field });
      return;
    }
    try {
      await api.put<Parental>(`/admin/users/${userId}/parental`, b.body);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  const localBad = error && !(error instanceof Error) ? (error as { field: string }).field : null;
  const ages = AGES.includes(Number(f.max_age_rating)) || f.max_age_rating === '' ? AGES : [...AGES, Number(f.max_age_rating)].sort((a, b) => a - b);
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby="parental">
      <h2 id="parental">{t('admin.parental')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.parental.max_age')}
          <select disabled={!editable} value={f.max_age_rating} onChange={(e) => set({ max_age_rating: val(e) })}>
            <option value="">{t('admin.parental.no_limit')}</option>
            {ages.map((a) => (
              <option key={a} value={String(a)}>
                {t('admin.parental.age', { n: a })}
              </option>
            ))}
          </select>
          <FieldError error={error} field="max_age_rating" />
        </label>
        <label>
          {t('admin.parental.country')}
          <input
            disabled={!editable}
            maxLength={2}
            pattern="[A-Za-z]{2}"
            value={f.rating_country}
            aria-invalid={localBad === 'rating_country'}
            onInput={(e) => set({ rating_country: val(e) })}
          />
          {localBad === 'rating_country' && (
            <p class="field-error" role="alert">
              {t('admin.parental.country_bad')}
            </p>
          )}
          <FieldError error={error} field="rating_country" />
        </label>
      </div>
      <label class="inline">
        <input type="checkbox" disabled={!editable} checked={f.allow_unrated} onChange={(e) => set({ allow_unrated: checked(e) })} />
        {t('admin.parental.unrated')}
      </label>
      <label class="inline">
        <input type="checkbox" disabled={!editable} checked={f.locked} onChange={(e) => set({ locked: checked(e) })} />
        {t('admin.parental.locked')}
      </label>
      {error instanceof Error && <FormError error={error} fields={['max_age_rating', 'rating_country']} />}
      {saved && <p role="status">{t('common.saved')}</p>}
      {editable && (
        <div class="actions">
          <button type="submit">{t('admin.parental.save')}</button>
        </div>
      )}
    </form>
  );
}

export function UserPage({ params, query }: PageProps) {
  const u = useLoad((signal) => api.get<User>(`/admin/users/${params.id}`, { signal }), [params.id]);
  const [user, setUser] = useState<User | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => setUser(u.data ?? null), [u.data]);
  const self = session().me?.id === params.id;
  return (
    <main class="page admin">
      <p>
        <a href={href('/admin/users')}>← {t('admin.users')}</a>
      </p>
      {u.error && <ErrorBox error={u.error} retry={u.reload} />}
      {!user && !u.error && <Spinner />}
      {user && (
        <>
          <h1>{user.display_name ? `${user.display_name} (${user.username})` : user.username}</h1>
          {query.get('created') === '1' && <Notice>{t('admin.user.created', { name: user.username })}</Notice>}
          <p class="muted small">{t('admin.user.since', { at: formatDateTime(user.created_at) })}</p>
          <Profile key={user.id} user={user} onChange={setUser} />
          <Status user={user} onChange={setUser} />
          <Roles user={user} onChange={(roles) => setUser({ ...user, roles })} />
          <ParentalLimits userId={user.id} />
          {can('users:delete') && !self && (
            <section aria-labelledby="danger" class="danger-zone">
              <h2 id="danger">{t('admin.user.delete')}</h2>
              <ConfirmButton
                label={t('admin.user.delete')}
                confirmLabel={t('admin.user.delete_confirm', { name: user.username })}
                onConfirm={async () => {
                  try {
                    await api.del(`/admin/users/${user.id}`);
                    navigate('/admin/users');
                  } catch (e) {
                    setError(e);
                  }
                }}
              />
              <FormError error={error} fields={[]} />
            </section>
          )}
        </>
      )}
    </main>
  );
}

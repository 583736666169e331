// Accounts: search and list, create one, invite someone (the token shows
// once), and the invitations made so far.
import { useEffect, useState } from 'preact/hooks';
import { api, Page, query } from '../../lib/api';
import { formatDateTime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { href, navigate } from '../../lib/router';
import { can } from '../../lib/session';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import type { Invitation, Role, User } from './types';
import { Badge, ConfirmButton, MoreButton, useCursorList, val, TableHead } from './ui';

export function useRoles() {
  return useLoad((signal) => api.get<Page<Role>>('/rbac/roles?limit=100', { signal }).then((p) => p.items), []);
}

function RoleSelect({ value, onChange, roles, allowDefault }: { value: string; onChange: (r: string) => void; roles: Role[]; allowDefault?: boolean }) {
  return (
    <select value={value} onChange={(e) => onChange(val(e))}>
      {allowDefault && <option value="">{t('admin.users.default_role')}</option>}
      {roles.map((r) => (
        <option key={r.name} value={r.name}>
          {r.name}
        </option>
      ))}
    </select>
  );
}

function CreateUser({ roles, onCancel }: { roles: Role[]; onCancel: () => void }) {
  const [f, setF] = useState({ username: '', email: '', password: '', display_name: '', role: '' });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: val(e) });
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { username: f.username.trim(), email: f.email.trim(), password: f.password };
      if (f.display_name.trim()) body.display_name = f.display_name.trim();
      if (f.role) body.role = f.role;
      const u = await api.post<User>('/admin/users', body);
      navigate('/admin/users/' + u.id, { created: '1' });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby="new-user">
      <h2 id="new-user">{t('admin.users.new')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.users.username')}
          <input required minLength={3} maxLength={30} autoComplete="off" value={f.username} onInput={set('username')} />
          <FieldError error={error} field="username" />
        </label>
        <label>
          {t('admin.users.email')}
          <input required type="email" maxLength={254} autoComplete="off" value={f.email} onInput={set('email')} />
          <FieldError error={error} field="email" />
        </label>
        <label>
          {t('admin.users.password')}
          <input required type="password" minLength={8} autoComplete="new-password" value={f.password} onInput={set('password')} />
          <FieldError error={error} field="password" />
        </label>
        <label>
          {t('admin.users.display_name')}
          <input maxLength={100} value={f.display_name} onInput={set('display_name')} />
          <FieldError error={error} field="display_name" />
        </label>
        <label>
          {t('admin.users.role')}
          <RoleSelect value={f.role} onChange={(role) => setF({ ...f, role })} roles={roles} allowDefault />
          <FieldError error={error} field="role" />
        </label>
      </div>
      <FormError error={error} fields={['username', 'email', 'password', 'display_name', 'role']} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {t('admin.users.create')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Invite({ roles, onCreated, onCancel }: { roles: Role[]; onCreated: () => void; onCancel: () => void }) {
  const [role, setRole] = useState('');
  const [email, setEmail] = useState('');
  const [hours, setHours] = useState('168');
  const [made, setMade] = useState<Invitation | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const body: Record<string, unknown> = { expires_in_hours: Number(hours) || 168 };
      if (role) body.role = role;
      if (email.trim()) body.email = email.trim();
      setMade(await api.post<Invitation>('/admin/invitations', body));
      onCreated();
    } catch (err) {
      setError(err);
    }
  };
  if (made?.token) {
    return (
      <section class="admin-form" aria-labelledby="invite-made">
        <h2 id="invite-made">{t('admin.invite.made')}</h2>
        <p>{t('admin.invite.once')}</p>
        <label>
          {t('admin.invite.token')}
          <input readOnly value={made.token} onFocus={(e) => (e.target as HTMLInputElement).select()} class="token" />
        </label>
        <p class="muted small">{t('admin.invite.how', { role: made.role, at: formatDateTime(made.expires_at) })}</p>
        <div class="actions">
          {typeof navigator !== 'undefined' && navigator.clipboard && (
            <button
              type="button"
              class="secondary"
              onClick={() => navigator.clipboard.writeText(made.token!).then(() => setCopied(true), () => undefined)}
            >
              {copied ? t('admin.invite.copied') : t('admin.invite.copy')}
            </button>
          )}
          <button type="button" onClick={onCancel}>
            {t('admin.done')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby="invite">
      <h2 id="invite">{t('admin.invite.title')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.users.role')}
          <RoleSelect value={role} onChange={setRole} roles={roles} allowDefault />
          <FieldError error={error} field="role" />
        </label>
        <label>
          {t('admin.invite.email')}
          <input type="email" value={email} onInput={(e) => setEmail(val(e))} />
          <FieldError error={error} field="email" />
        </label>
        <label>
          {t('admin.invite.hours')}
          <input type="number" min={1} max={720} value={hours} onInput={(e) => setHours(val(e))} />
          <FieldError error={error} field="expires_in_hours" />
        </label>
      </div>
      <FormError error={error} fields={['role', 'email', 'expires_in_hours']} />
      <div class="actions">
        <button type="submit">{t('admin.invite.create')}</button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Invitations({ version }: { version: number }) {
  const list = useCursorList<Invitation>(
    (cursor, limit, signal) => api.get<Page<Invitation>>('/admin/invitations' + query({ cursor, limit }), { signal }),
    String(version),
    (i) => i.id,
  );
  return (
    <section aria-labelledby="invitations">
      <h2 id="invitations">{t('admin.invite.list')}</h2>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {!list.loading && list.items.length === 0 && <p class="empty-text">{t('admin.invite.none')}</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead
              cols={[
                t('admin.users.role'),
                t('admin.invite.email'),
                t('admin.invite.state'),
                t('admin.invite.expires'),
              ]}
              actions
            />
            <tbody>
              {list.items.map((i) => (
                <tr key={i.id}>
                  <td>{i.role}</td>
                  <td>{i.email ?? '—'}</td>
                  <td>
                    <Badge value={i.state} label={t('admin.invite.state.' + i.state)} />
                  </td>
                  <td>{formatDateTime(i.expires_at)}</td>
                  <td>
                    {i.state === 'pending' && (
                      <ConfirmButton
                        label={t('admin.invite.revoke')}
                        confirmLabel={t('admin.invite.revoke_confirm')}
                        onConfirm={async () => {
                          await api.del(`/admin/invitations/${i.id}`);
                          list.update((x) => x.id === i.id, { ...i, state: 'revoked' });
                        }}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton list={list} />
    </section>
  );
}

/** The search box's text, settled after a pause in typing. */
function useDebounced(value: string, ms: number): string {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

export function UsersPage() {
  const roles = useRoles();
  const [q, setQ] = useState('');
  const [active, setActive] = useState('');
  const [role, setRole] = useState('');
  const [mode, setMode] = useState<'' | 'create' | 'invite'>('');
  const [invVersion, setInvVersion] = useState(0);
  const search = useDebounced(q.trim(), 300);
  const list = useCursorList<User>(
    (cursor, limit, signal) =>
      api.get<Page<User>>('/admin/users' + query({ q: search, is_active: active, role, sort: 'username', cursor, limit }), {
        signal,
      }),
    JSON.stringify([search, active, role]),
    (u) => u.id,
  );
  const roleList = roles.data ?? [];
  return (
    <main class="page admin">
      <h1>{t('admin.users')}</h1>
      <div class="actions">
        {can('users:create') && (
          <>
            <button type="button" onClick={() => setMode('create')} aria-pressed={mode === 'create'}>
              {t('admin.users.new')}
            </button>
            <button type="button" class="secondary" onClick={() => setMode('invite')} aria-pressed={mode === 'invite'}>
              {t('admin.invite.title')}
            </button>
          </>
        )}
      </div>
      {mode === 'create' && <CreateUser roles={roleList} onCancel={() => setMode('')} />}
      {mode === 'invite' && (
        <Invite roles={roleList} onCreated={() => setInvVersion((v) => v + 1)} onCancel={() => setMode('')} />
      )}
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('admin.users.search')}
          <input type="search" value={q} maxLength={100} onInput={(e) => setQ(val(e))} />
        </label>
        <label>
          {t('admin.users.status')}
          <select value={active} onChange={(e) => setActive(val(e))}>
            <option value="">{t('admin.any')}</option>
            <option value="true">{t('admin.users.active')}</option>
            <option value="false">{t('admin.users.disabled')}</option>
          </select>
        </label>
        <label>
          {t('admin.users.role')}
          <select value={role} onChange={(e) => setRole(val(e))}>
            <option value="">{t('admin.any')}</option>
            {roleList.map((r) => (
              <option key={r.name} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && list.items.length === 0 && <Spinner />}
      {!list.loading && !list.error && list.items.length === 0 && <p class="empty-text">{t('admin.users.none')}</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="users">
            <TableHead
              cols={[
                t('admin.users.username'),
                t('admin.users.display_name'),
                t('admin.users.email'),
                t('admin.users.roles'),
                t('admin.users.status'),
                t('admin.users.last_login'),
              ]}
            />
            <tbody>
              {list.items.map((u) => (
                <tr key={u.id}>
                  <td class="user-cell">
                    {u.avatar_url && <img class="avatar" src={u.avatar_url} alt="" width={24} height={24} loading="lazy" />}
                    <a href={href('/admin/users/' + u.id)}>{u.username}</a>
                  </td>
                  <td>{u.display_name ?? ''}</td>
                  <td>{u.email}</td>
                  <td>{u.roles.join(', ')}</td>
                  <td>
                    {u.is_active ? (
                      <Badge value="active" label={t('admin.users.active')} />
                    ) : (
                      <Badge value="disabled" label={t('admin.users.disabled')} />
                    )}
                  </td>
                  <td>{u.last_login_at ? formatDateTime(u.last_login_at) : t('admin.users.never')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton list={list} />
      {can('users:create') && <Invitations version={invVersion} />}
    </main>
  );
}

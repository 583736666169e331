// Roles and their permissions as a grid: a row per permission, a column
// per role. Built-in roles are shown read-only (the API refuses to change
// them); a custom role's column is saved as one PUT of its whole set.
import { useEffect, useState } from 'preact/hooks';
import { api, Page } from '../../lib/api';
import { formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can } from '../../lib/session';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import { groupPermissions, permDiff } from './logic';
import type { Permission, Role } from './types';
import { ConfirmButton, Notice, reportTo, val } from './ui';

async function allPermissions(signal: AbortSignal): Promise<Permission[]> {
  const out: Permission[] = [];
  let cursor: string | null = null;
  do {
    const p: Page<Permission> = await api.get<Page<Permission>>(
      '/rbac/permissions?limit=100' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''),
      { signal },
    );
    out.push(...p.items);
    cursor = p.next_cursor ?? null;
  } while (cursor && out.length < 1000);
  return out;
}

function NewRole({ onCreated }: { onCreated: (r: Role) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api.post<Role>('/rbac/roles', { name: name.trim(), description: description.trim(), permissions: [] });
      setName('');
      setDescription('');
      onCreated(r);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby="new-role">
      <h2 id="new-role">{t('admin.roles.new')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.roles.name')}
          <input required pattern="[a-z][a-z0-9_\-]{1,31}" maxLength={32} value={name} onInput={(e) => setName(val(e))} />
          <span class="hint">{t('admin.roles.name_hint')}</span>
          <FieldError error={error} field="name" />
        </label>
        <label>
          {t('admin.roles.description')}
          <input maxLength={500} value={description} onInput={(e) => setDescription(val(e))} />
          <FieldError error={error} field="description" />
        </label>
      </div>
      <FormError error={error} fields={['name', 'description']} />
      <div class="actions">
        <button type="submit">{t('admin.roles.create')}</button>
      </div>
    </form>
  );
}

export function RolesPage() {
  const roles = useLoad((signal) => api.get<Page<Role>>('/rbac/roles?limit=100', { signal }).then((p) => p.items), []);
  const perms = useLoad(allPermissions, []);
  const [draft, setDraft] = useState<Record<string, Set<string>>>({});
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);
  // MFA switches as saved since the list loaded (no reload, so unsaved
  // permission changes in the grid stay)
  const [mfa, setMfaSaved] = useState<Record<string, boolean>>({});
  const editable = can('users:update');

  useEffect(() => {
    if (!roles.data) return;
    const d: Record<string, Set<string>> = {};
    for (const r of roles.data) d[r.name] = new Set(r.permissions);
    setDraft(d);
  }, [roles.data]);

  if (roles.error) return <main class="page admin"><ErrorBox error={roles.error} retry={roles.reload} /></main>;
  if (perms.error) return <main class="page admin"><ErrorBox error={perms.error} retry={perms.reload} /></main>;
  if (!roles.data || !perms.data) return <main class="page admin"><Spinner /></main>;

  const list = roles.data;
  const toggle = (role: string, perm: string, on: boolean) => {
    const s = new Set(draft[role]);
    if (on) s.add(perm);
    else s.delete(perm);
    setDraft({ ...draft, [role]: s });
  };
  const save = async (r: Role) => {
    setError(null);
    setNotice('');
    try {
      const next = await api.put<Role>(`/rbac/roles/${encodeURIComponent(r.name)}/permissions`, {
        permissions: [...(draft[r.name] ?? [])].sort(),
      });
      setNotice(t('admin.roles.saved', { name: next.name }));
      roles.reload();
    } catch (err) {
      setError(err);
    }
  };
  const setMfa = (r: Role, on: boolean) => {
    setNotice('');
    return reportTo(setError, async () => {
      const next = await api.put<Role>(`/rbac/roles/${encodeURIComponent(r.name)}/mfa`, { mfa_required: on });
      setMfaSaved({ ...mfa, [r.name]: next.mfa_required === true });
      setNotice(t(next.mfa_required ? 'admin.roles.mfa_on' : 'admin.roles.mfa_off', { name: r.name }));
    });
  };
  const groups = groupPermissions(perms.data);

  return (
    <main class="page admin">
      <h1>{t('admin.roles')}</h1>
      <p class="muted">{t('admin.roles.intro')}</p>
      {notice && <Notice>{notice}</Notice>}
      <FormError error={error} fields={[]} />
      <div class="table-wrap">
        <table class="perm-grid">
          <thead>
            <tr>
              <th scope="col">{t('admin.roles.permission')}</th>
              {list.map((r) => (
                <th scope="col" key={r.name} class="role-col">
                  <span class="role-name">{r.name}</span>
                  <span class="muted small">
                    {r.is_builtin ? t('admin.roles.builtin') : t('admin.roles.custom')} ·{' '}
                    {t('admin.roles.holders', { n: formatNumber(r.user_count) })}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr class="mfa-row">
              <th scope="row">
                {t('admin.roles.mfa')}
                <span class="muted small perm-desc">{t('admin.roles.mfa_hint')}</span>
              </th>
              {list.map((r) => (
                <td key={r.name} class="cell">
                  {/* built-in roles too: it tightens a role without changing its permissions */}
                  <input
                    type="checkbox"
                    role="switch"
                    aria-label={t('admin.roles.mfa_aria', { role: r.name })}
                    checked={mfa[r.name] ?? r.mfa_required === true}
                    disabled={!editable}
                    onChange={(e) => setMfa(r, (e.target as HTMLInputElement).checked)}
                  />
                </td>
              ))}
            </tr>
          </tbody>
          {groups.map(([group, ps]) => (
            <tbody key={group}>
              <tr class="group">
                <th scope="rowgroup" colSpan={list.length + 1}>
                  {group}
                </th>
              </tr>
              {ps.map((p) => (
                <tr key={p.name}>
                  <th scope="row">
                    <code>{p.name}</code>
                    <span class="muted small perm-desc">{p.description}</span>
                  </th>
                  {list.map((r) => (
                    <td key={r.name} class="cell">
                      <input
                        type="checkbox"
                        aria-label={t('admin.roles.grant_aria', { role: r.name, perm: p.name })}
                        checked={draft[r.name]?.has(p.name) ?? false}
                        disabled={r.is_builtin || !editable}
                        onChange={(e) => toggle(r.name, p.name, (e.target as HTMLInputElement).checked)}
                      />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          ))}
          {editable && (
            <tfoot>
              <tr>
                <th scope="row">{t('admin.roles.changes')}</th>
                {list.map((r) => {
                  if (r.is_builtin) return <td key={r.name} class="muted small">{t('admin.roles.readonly')}</td>;
                  const d = permDiff(r.permissions, draft[r.name] ?? []);
                  const changed = d.added.length + d.removed.length > 0;
                  return (
                    <td key={r.name} class="role-actions">
                      {changed && (
                        <span class="small" title={[...d.added.map((x) => '+' + x), ...d.removed.map((x) => '−' + x)].join('\n')}>
                          {t('admin.roles.diff', { added: d.added.length, removed: d.removed.length })}
                        </span>
                      )}
                      <button
                        type="button"
                        disabled={!changed}
                        onClick={() => save(r)}
                        aria-label={t('admin.roles.save_named', { name: r.name })}
                      >
                        {t('common.save')}
                      </button>
                      {changed && (
                        <button
                          type="button"
                          class="secondary"
                          onClick={() => setDraft({ ...draft, [r.name]: new Set(r.permissions) })}
                        >
                          {t('admin.roles.reset')}
                        </button>
                      )}
                      <ConfirmButton
                        label={t('common.delete')}
                        ariaLabel={t('admin.roles.delete_named', { name: r.name })}
                        confirmLabel={t('admin.roles.delete_confirm', { name: r.name })}
                        onConfirm={async () => {
                          setError(null);
                          try {
                            await api.del(`/rbac/roles/${encodeURIComponent(r.name)}`);
                            setNotice(t('admin.roles.deleted', { name: r.name }));
                            roles.reload();
                          } catch (err) {
                            setError(err);
                          }
                        }}
                      />
                    </td>
                  );
                })}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
      {editable && (
        <NewRole
          onCreated={(r) => {
            setNotice(t('admin.roles.created', { name: r.name }));
            roles.reload();
          }}
        />
      )}
    </main>
  );
}

// Single sign-on providers (OpenID Connect): the list, a form that adds
// one or changes one (the client secret is write-only: "set" or "not set",
// never shown), the redirect URI to register at the provider, and delete.
import { useState } from 'preact/hooks';
import { api, ApiError, type Page } from '../../lib/api';
import { t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can } from '../../lib/session';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import { emptyProviderForm, providerBody, providerToForm, redirectUri, roleMapRow, SLUG_PATTERN, type ProviderForm } from './forms';
import type { AuthProvider, Role } from './types';
import { Badge, checked, ConfirmButton, CopyField, Notice, reportTo, RowsEditor, TableHead, useRowSubmit, val } from './ui';

const FIELDS = ['slug', 'display_name', 'issuer', 'client_id', 'client_secret', 'scopes', 'username_claim', 'email_claim', 'display_name_claim', 'roles_claim', 'is_default'];

function ProviderFormView({
  provider,
  onSaved,
  onCancel,
}: {
  /** absent: a new provider */
  provider?: AuthProvider;
  onSaved: (p: AuthProvider) => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState<ProviderForm>(() => (provider ? providerToForm(provider) : emptyProviderForm()));
  const { error, rowError, setRowError, busy, submit } = useRowSubmit(
    () => providerBody(f, provider),
    (body) =>
      provider
        ? api.put<AuthProvider>(`/admin/auth/providers/${encodeURIComponent(provider.slug)}`, body)
        : api.post<AuthProvider>('/admin/auth/providers', body),
    onSaved,
  );
  const roles = useLoad((signal) => api.get<Page<Role>>('/rbac/roles?limit=100', { signal }).then((p) => p.items), []);
  const set = (patch: Partial<ProviderForm>) => {
    setRowError(null);
    setF({ ...f, ...patch });
  };
  const id = provider ? 'sso-' + provider.slug : 'sso-new';

  const field = error instanceof ApiError ? error.field : undefined;
  const badRole = rowError ? rowError.row : roleMapRow(field, f.role_map);
  const text = (k: keyof ProviderForm, label: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input value={f[k] as string} onInput={(e) => set({ [k]: val(e) } as Partial<ProviderForm>)} {...extra} />
      <FieldError error={error} field={k} />
    </label>
  );
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{provider ? t('admin.sso.edit', { name: provider.display_name }) : t('admin.sso.new')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.sso.slug')}
          <input
            required
            disabled={!!provider}
            pattern={SLUG_PATTERN}
            maxLength={32}
            value={f.slug}
            onInput={(e) => set({ slug: val(e) })}
          />
          <span class="hint">{t('admin.sso.slug_hint')}</span>
          <FieldError error={error} field="slug" />
        </label>
        {text('display_name', t('admin.sso.display_name'), { required: true, maxLength: 100 })}
        {text('issuer', t('admin.sso.issuer'), { required: true, type: 'url', maxLength: 500 })}
        {text('client_id', t('admin.sso.client_id'), { required: true, maxLength: 255, autoComplete: 'off' })}
        <label>
          {t('admin.sso.client_secret')}
          <input
            type="password"
            autoComplete="new-password"
            maxLength={1000}
            disabled={f.clear_secret}
            placeholder={provider?.has_secret ? t('admin.secret.unchanged') : t('admin.sso.public_client')}
            value={f.client_secret}
            onInput={(e) => set({ client_secret: val(e) })}
          />
          <span class="hint">{provider?.has_secret ? t('admin.secret.set') : t('admin.secret.not_set')}</span>
          <FieldError error={error} field="client_secret" />
        </label>
        {provider?.has_secret && (
          <label class="inline">
            <input type="checkbox" checked={f.clear_secret} onChange={(e) => set({ clear_secret: checked(e), client_secret: '' })} />
            {t('admin.secret.clear')}
          </label>
        )}
      </div>
      <CopyField id={id + '-redirect'} label={t('admin.sso.redirect_uri')} value={redirectUri(location.origin, f.slug.trim())} />
      <p class="hint">{t('admin.sso.redirect_hint')}</p>
      <details>
        <summary>{t('admin.sso.claims')}</summary>
        <div class="form-grid">
          {text('scopes', t('admin.sso.scopes'))}
          {text('username_claim', t('admin.sso.username_claim'))}
          {text('email_claim', t('admin.sso.email_claim'))}
          {text('display_name_claim', t('admin.sso.display_name_claim'))}
          {text('roles_claim', t('admin.sso.roles_claim'), { placeholder: 'groups' })}
        </div>
        <RowsEditor
          legend={t('admin.sso.role_map')}
          rows={f.role_map}
          cols={[
            { key: 'key', label: t('admin.sso.role_map.value') },
            { key: 'value', label: t('admin.sso.role_map.role'), list: 'sso-roles' },
          ]}
          blank={{ key: '', value: '' }}
          onChange={(rows) => set({ role_map: rows })}
          bad={badRole}
          badText={rowError ? t(rowError.error) : (error as Error | null)?.message}
        />
        <datalist id="sso-roles">{roles.data?.map((r) => <option key={r.name} value={r.name} />)}</datalist>
        <p class="hint">{t('admin.sso.role_map_hint')}</p>
      </details>
      <div class="form-grid">
        <label class="inline">
          <input type="checkbox" checked={f.auto_create} onChange={(e) => set({ auto_create: checked(e) })} />
          {t('admin.sso.auto_create')}
        </label>
        <label class="inline">
          <input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: checked(e) })} />
          {t('admin.sso.enabled')}
        </label>
        <label class="inline">
          <input type="checkbox" checked={f.is_default} onChange={(e) => set({ is_default: checked(e) })} />
          {t('admin.sso.default')}
        </label>
      </div>
      <FieldError error={error} field="is_default" />
      <FormError error={badRole !== null ? null : error} fields={FIELDS} />
      <div class="actions">
        <button type="submit" disabled={busy}>
          {provider ? t('common.save') : t('admin.sso.create')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

export function SsoPage() {
  const list = useLoad((signal) => api.get<{ items: AuthProvider[] }>('/admin/auth/providers', { signal }), []);
  const [editing, setEditing] = useState<AuthProvider | 'new' | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const writable = can('settings:write');
  const items = list.data?.items ?? [];
  return (
    <main class="page admin">
      <h1>{t('admin.sso')}</h1>
      <p class="muted">{t('admin.sso.intro')}</p>
      {notice && <Notice>{notice}</Notice>}
      {writable && editing === null && (
        <p>
          <button type="button" onClick={() => (setNotice(''), setEditing('new'))}>
            {t('admin.sso.new')}
          </button>
        </p>
      )}
      {editing !== null && (
        <ProviderFormView
          key={editing === 'new' ? 'new' : editing.slug}
          provider={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(null)}
          onSaved={(p) => {
            setEditing(null);
            setNotice(t('admin.sso.saved', { name: p.display_name }));
            list.reload();
          }}
        />
      )}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {!list.data && list.loading && <Spinner />}
      {list.data && items.length === 0 && <p class="muted">{t('admin.sso.none')}</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead
              cols={[t('admin.sso.display_name'), t('admin.sso.slug'), t('admin.sso.issuer'), t('admin.sso.state'), t('admin.sso.client_secret')]}
              actions={writable}
            />
            <tbody>
              {items.map((p) => (
                <tr key={p.slug}>
                  <td>
                    <strong>{p.display_name}</strong>
                  </td>
                  <td>
                    <code>{p.slug}</code>
                  </td>
                  <td>
                    <code>{p.issuer}</code>
                  </td>
                  <td>
                    {p.enabled ? <Badge value="active" label={t('admin.sso.enabled')} /> : <Badge value="disabled" label={t('admin.lib.disabled')} />}{' '}
                    {p.is_default && <Badge value="public" label={t('admin.sso.is_default')} />}
                  </td>
                  <td>{p.has_secret ? t('admin.secret.set') : t('admin.secret.not_set')}</td>
                  {writable && (
                    <td>
                      <div class="actions tight">
                        <button
                          type="button"
                          class="secondary"
                          aria-label={t('admin.edit_named', { name: p.display_name })}
                          onClick={() => (setNotice(''), setEditing(p))}
                        >
                          {t('admin.edit')}
                        </button>
                        <ConfirmButton
                          label={t('common.delete')}
                          ariaLabel={t('admin.sso.delete_confirm', { name: p.display_name })}
                          confirmLabel={t('admin.sso.delete_confirm', { name: p.display_name })}
                          onConfirm={() =>
                            reportTo(setError, async () => {
                              await api.del(`/admin/auth/providers/${encodeURIComponent(p.slug)}`);
                              if (editing !== null && editing !== 'new' && editing.slug === p.slug) setEditing(null);
                              list.reload();
                            })
                          }
                        />
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormError error={error} fields={[]} />
      {items.length > 0 && <p class="hint">{t('admin.sso.delete_hint')}</p>}
    </main>
  );
}

// Radarr and Sonarr: one card each with the connection (base URL, the
// write-only API key, sync interval, path map), the webhook address and the
// webhook secret (shown once, when generated), the status, "Sync now" and
// Radarr's/Sonarr's root folders with the library each lands in.
import { useState } from 'preact/hooks';
import { api, ApiError, type Page } from '../../lib/api';
import { formatDateTime, formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { href } from '../../lib/router';
import { can } from '../../lib/session';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import { integrationBody, integrationToForm, pathMapError, webhookAddress, type IntegrationForm } from './forms';
import type { Integration, IntegrationStatus, Library, RootFolder } from './types';
import { Badge, checked, ConfirmButton, CopyField, Notice, RowsEditor, TableHead, val } from './ui';

const FIELDS = ['base_url', 'api_key', 'sync_interval_minutes', 'enabled'];
const NAMES = { radarr: 'Radarr', sonarr: 'Sonarr' };
const SYNC_COUNTS = ['items', 'in_library', 'outside', 'hints_changed', 'rematched', 'scans', 'forgotten'];

/** A new webhook secret: 256 random bits, base64url, as the server makes them. */
function newSecret(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The secret of a webhook, with the address and how to enter both; shown once. */
function SecretOnce({ kind, secret, url, onDone }: { kind: Integration['kind']; secret: string; url: string; onDone: () => void }) {
  return (
    <section class="once" aria-labelledby={kind + '-secret-title'}>
      <h3 id={kind + '-secret-title'}>{t('admin.arr.secret_title')}</h3>
      <p role="status">
        <strong>{t('admin.arr.secret_once')}</strong>
      </p>
      <CopyField id={kind + '-secret'} label={t('admin.arr.secret')} value={secret} />
      <CopyField id={kind + '-hook-once'} label={t('admin.arr.webhook_url')} value={url} />
      <p class="hint">{t('admin.arr.howto', { name: NAMES[kind] })}</p>
      <button type="button" onClick={onDone}>
        {t('admin.arr.secret_saved')}
      </button>
    </section>
  );
}

function RootFolders({ kind }: { kind: Integration['kind'] }) {
  const folders = useLoad(
    (signal) =>
      Promise.all([
        api.get<{ items: RootFolder[] }>(`/admin/integrations/${kind}/root-folders`, { signal }),
        api.get<Page<Library>>('/libraries?limit=100', { signal }).catch(() => ({ items: [] as Library[] })),
      ]),
    [kind],
  );
  if (folders.error) return <FormError error={folders.error} fields={[]} />;
  if (!folders.data) return <Spinner />;
  const [roots, libs] = folders.data;
  const name = (id: string) => libs.items.find((l) => l.id === id)?.name ?? id;
  if (!roots.items.length) return <p class="muted">{t('admin.arr.no_roots')}</p>;
  return (
    <div class="table-wrap">
      <table>
        <TableHead cols={[t('admin.arr.root_remote'), t('admin.arr.root_local'), t('admin.arr.root_free'), t('admin.arr.root_library')]} />
        <tbody>
          {roots.items.map((r) => (
            <tr key={r.path}>
              <td>
                <code>{r.path}</code>
              </td>
              <td>{r.local_path ? <code>{r.local_path}</code> : <span class="warn-text">{t('admin.arr.unmapped')}</span>}</td>
              <td>{r.free_space == null ? '—' : formatNumber(Math.round(r.free_space / 1e9)) + ' GB'}</td>
              <td>
                {r.library_id ? (
                  <a href={href('/admin/libraries/' + r.library_id)}>{name(r.library_id)}</a>
                ) : (
                  <span class="warn-text">{t('admin.arr.no_library')}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function IntegrationCard({ integration, onChange }: { integration: Integration; onChange: () => void }) {
  const [i, setI] = useState(integration);
  const [f, setF] = useState<IntegrationForm>(() => integrationToForm(integration));
  const [error, setError] = useState<unknown>(null);
  const [rowOf, setRowOf] = useState<number[]>([]);
  const [halfRow, setHalfRow] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [status, setStatus] = useState<IntegrationStatus | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ text: string; job?: number } | null>(null);
  const [roots, setRoots] = useState(false);
  const kind = i.kind;
  const name = NAMES[kind];
  const writable = can('integrations:update');
  const url = webhookAddress(location.origin, i.webhook_url);
  const set = (patch: Partial<IntegrationForm>) => {
    setSaved(false);
    setHalfRow(null);
    setF({ ...f, ...patch });
  };

  const put = async (body: Record<string, unknown>) => {
    const next = await api.put<Integration>(`/admin/integrations/${kind}`, body);
    setI(next);
    setF(integrationToForm(next));
    if (next.webhook_secret) setSecret(next.webhook_secret);
    return next;
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const b = integrationBody(f);
    if (!('body' in b)) {
      setHalfRow(b.row);
      return;
    }
    setHalfRow(null);
    setRowOf(b.rowOf);
    setBusy(true);
    try {
      await put(b.body);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const act = async (fn: () => Promise<void>) => {
    setActionError(null);
    setNotice(null);
    try {
      await fn();
    } catch (err) {
      setActionError(err);
    }
  };

  const field = error instanceof ApiError ? error.field : undefined;
  const bad = halfRow !== null ? { row: halfRow, side: null } : pathMapError(field, rowOf);
  const id = 'arr-' + kind;
  return (
    <section class="admin-form" aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>
        {name}{' '}
        {i.configured ? (
          i.enabled ? (
            <Badge value="active" label={t('admin.arr.on')} />
          ) : (
            <Badge value="disabled" label={t('admin.lib.disabled')} />
          )
        ) : (
          <Badge value="pending" label={t('admin.arr.not_set_up')} />
        )}
      </h2>
      {secret && <SecretOnce kind={kind} secret={secret} url={url} onDone={() => setSecret(null)} />}
      {!secret && (
        <>
          <CopyField id={id + '-hook'} label={t('admin.arr.webhook_url')} value={url} />
          <p class="hint">{t('admin.arr.howto', { name })}</p>
        </>
      )}
      {i.configured && (
        <p class="meta small">
          <span>
            {i.last_webhook?.received_at
              ? t('admin.arr.last_webhook', { at: formatDateTime(i.last_webhook.received_at), event: i.last_webhook.event_type ?? '' })
              : t('admin.arr.no_webhook')}
          </span>
          <span>{t('admin.arr.webhooks_24h', { n: formatNumber(i.webhooks_24h ?? 0) })}</span>
          <span>{i.last_sync_at ? t('admin.arr.last_sync', { at: formatDateTime(i.last_sync_at) }) : t('admin.arr.never_synced')}</span>
        </p>
      )}
      {i.last_sync && (
        <p class="meta small">
          {SYNC_COUNTS.filter((k) => typeof i.last_sync?.[k] === 'number').map((k) => (
            <span key={k}>
              {t('admin.arr.count.' + k)}: {formatNumber(i.last_sync![k])}
            </span>
          ))}
        </p>
      )}
      <form onSubmit={submit} aria-label={t('admin.arr.settings_named', { name })}>
        <div class="form-grid">
          <label>
            {t('admin.arr.base_url')}
            <input
              type="url"
              disabled={!writable}
              placeholder={kind === 'radarr' ? 'http://radarr:7878' : 'http://sonarr:8989'}
              value={f.base_url}
              onInput={(e) => set({ base_url: val(e) })}
            />
            <FieldError error={error} field="base_url" />
          </label>
          <label>
            {t('admin.arr.api_key')}
            <input
              type="password"
              autoComplete="new-password"
              disabled={!writable || f.clear_api_key}
              placeholder={i.api_key_set ? t('admin.secret.unchanged') : ''}
              value={f.api_key}
              onInput={(e) => set({ api_key: val(e) })}
            />
            <span class="hint">{i.api_key_set ? t('admin.secret.set') : t('admin.secret.not_set')}</span>
            <FieldError error={error} field="api_key" />
          </label>
          {i.api_key_set && (
            <label class="inline">
              <input type="checkbox" checked={f.clear_api_key} onChange={(e) => set({ clear_api_key: checked(e), api_key: '' })} />
              {t('admin.secret.clear')}
            </label>
          )}
          <label>
            {t('admin.arr.interval')}
            <input
              type="number"
              min={0}
              max={10080}
              disabled={!writable}
              value={f.sync_interval_minutes}
              onInput={(e) => set({ sync_interval_minutes: val(e) })}
            />
            <FieldError error={error} field="sync_interval_minutes" />
          </label>
          <label class="inline">
            <input type="checkbox" disabled={!writable} checked={f.enabled} onChange={(e) => set({ enabled: checked(e) })} />
            {t('admin.arr.enabled')}
          </label>
        </div>
        <RowsEditor
          legend={t('admin.arr.path_map')}
          rows={f.path_map}
          cols={[
            { key: 'remote', label: t('admin.arr.remote', { name }), placeholder: '/movies' },
            { key: 'local', label: t('admin.arr.local'), placeholder: '/srv/media/movies' },
          ]}
          blank={{ remote: '', local: '' }}
          onChange={(rows) => set({ path_map: rows })}
          bad={bad?.row ?? null}
          badText={halfRow !== null ? t('admin.rows.half') : (error as Error | null)?.message}
        />
        <p class="hint">{t('admin.arr.path_map_hint', { name })}</p>
        <FormError error={bad ? null : error} fields={FIELDS} />
        {saved && <p role="status">{t('common.saved')}</p>}
        {writable && (
          <div class="actions">
            <button type="submit" disabled={busy}>
              {i.configured ? t('common.save') : t('admin.arr.set_up', { name })}
            </button>
          </div>
        )}
      </form>
      {i.configured && (
        <>
          <div class="actions">
            <button
              type="button"
              class="secondary"
              onClick={() => act(async () => setStatus(await api.get<IntegrationStatus>(`/admin/integrations/${kind}/status`)))}
            >
              {t('admin.arr.check')}
            </button>
            {can('integrations:sync') && (
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  act(async () => {
                    const q = await api.post<{ job_id: number; already_queued: boolean }>(`/admin/integrations/${kind}/sync`, {});
                    setNotice({ text: q.already_queued ? t('admin.arr.sync_waiting') : t('admin.arr.sync_queued'), job: q.job_id });
                  })
                }
              >
                {t('admin.arr.sync')}
              </button>
            )}
            <button type="button" class="secondary" aria-expanded={roots} onClick={() => setRoots(!roots)}>
              {t('admin.arr.roots')}
            </button>
            {writable && (
              <ConfirmButton
                label={t('admin.arr.new_secret')}
                confirmLabel={t('admin.arr.new_secret_confirm', { name })}
                onConfirm={() =>
                  act(async () => {
                    const s = newSecret();
                    await put({ webhook_secret: s });
                    setSecret(s);
                  })
                }
              />
            )}
          </div>
          {status && (
            <Notice kind={status.reachable ? 'ok' : 'warn'}>
              {status.reachable
                ? t('admin.arr.reachable', { app: status.app_name ?? name, version: status.version ?? '?' })
                : t('admin.arr.unreachable')}
            </Notice>
          )}
          {notice && (
            <Notice>
              {notice.text}{' '}
              {notice.job !== undefined && <a href={href('/admin/jobs')}>{t('admin.arr.job', { id: notice.job })}</a>}
            </Notice>
          )}
          <FormError error={actionError} fields={[]} />
          {roots && <RootFolders kind={kind} />}
          {can('integrations:delete') && (
            <p>
              <ConfirmButton
                label={t('admin.arr.delete', { name })}
                confirmLabel={t('admin.arr.delete_confirm', { name })}
                onConfirm={() =>
                  act(async () => {
                    await api.del(`/admin/integrations/${kind}`);
                    const gone: Integration = { kind, configured: false, webhook_url: i.webhook_url };
                    setI(gone);
                    setF(integrationToForm(gone));
                    setStatus(null);
                    setRoots(false);
                    onChange();
                  })
                }
              />
            </p>
          )}
        </>
      )}
    </section>
  );
}

export function IntegrationsPage() {
  const list = useLoad((signal) => api.get<{ items: Integration[] }>('/admin/integrations', { signal }), []);
  return (
    <main class="page admin">
      <h1>{t('admin.arr')}</h1>
      <p class="muted">{t('admin.arr.intro')}</p>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {!list.data && list.loading && <Spinner />}
      <div class="card-list">
        {list.data?.items.map((i) => (
          // a card starts again from what the server answers after a removal
          <IntegrationCard key={i.kind + ':' + (i.updated_at ?? '')} integration={i} onChange={list.reload} />
        ))}
      </div>
    </main>
  );
}

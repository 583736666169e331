// Notification channels: the list; a form per kind (generic webhook,
// Discord, Gotify, e-mail) with the events to send and a write-only secret;
// "Send test" and the channel's delivery log.
import { useState } from 'preact/hooks';
import { api, query, type Page } from '../../lib/api';
import { formatDateTime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can } from '../../lib/session';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import { CHANNEL_KINDS, channelBody, channelToForm, emptyChannelForm, NOTIFY_EVENTS, secretLabel, type ChannelForm } from './forms';
import type { ChannelKind, NotificationChannel, NotificationDelivery } from './types';
import { Badge, checked, ConfirmButton, MoreButton, Notice, reportTo, RowsEditor, TableHead, useCursorList, useRowSubmit, val } from './ui';

const FIELDS = [
  'name',
  'events',
  'secret',
  'settings.url',
  'settings.method',
  'settings.auth',
  'settings.auth_header',
  'settings.template',
  'settings.username',
  'settings.priority',
  'settings.smtp_host',
  'settings.smtp_port',
  'settings.security',
  'settings.from',
  'settings.to',
];

function ChannelFormView({
  channel,
  onSaved,
  onCancel,
}: {
  /** absent: a new channel */
  channel?: NotificationChannel;
  onSaved: (c: NotificationChannel) => void;
  onCancel: () => void;
}) {
  const [f, setF] = useState<ChannelForm>(() => (channel ? channelToForm(channel) : emptyChannelForm()));
  const [saved, setSaved] = useState(false);
  const { error, rowError, setRowError, busy, submit } = useRowSubmit(
    () => channelBody(f, channel),
    (body) =>
      channel
        ? api.put<NotificationChannel>(`/admin/notifications/${channel.id}`, body)
        : api.post<NotificationChannel>('/admin/notifications', body),
    (c) => {
      setF(channelToForm(c));
      setSaved(true);
      onSaved(c);
    },
  );
  const set = (patch: Partial<ChannelForm>) => {
    setSaved(false);
    setRowError(null);
    setF({ ...f, ...patch });
  };
  const id = channel ? 'ch-' + channel.id.slice(0, 8) : 'ch-new';
  const secret = secretLabel(f);

  const input = (k: keyof ChannelForm, label: string, field: string, extra: Record<string, unknown> = {}) => (
    <label>
      {label}
      <input value={f[k] as string} onInput={(e) => set({ [k]: val(e) } as Partial<ChannelForm>)} {...extra} />
      <FieldError error={error} field={field} />
    </label>
  );
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{channel ? t('admin.notify.edit', { name: channel.name }) : t('admin.notify.new')}</h2>
      <div class="form-grid">
        {input('name', t('admin.notify.name'), 'name', { required: true, maxLength: 100 })}
        <label>
          {t('admin.notify.kind')}
          <select value={f.kind} disabled={!!channel} onChange={(e) => set({ kind: val(e) as ChannelKind })}>
            {CHANNEL_KINDS.map((k) => (
              <option key={k} value={k}>
                {t('admin.notify.kind.' + k)}
              </option>
            ))}
          </select>
        </label>
        <label class="inline">
          <input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: checked(e) })} />
          {t('admin.notify.enabled')}
        </label>
      </div>
      {f.kind === 'webhook' && (
        <>
          <div class="form-grid">
            {input('url', t('admin.notify.url'), 'settings.url', { required: true, type: 'url', maxLength: 2048 })}
            <label>
              {t('admin.notify.method')}
              <select value={f.method} onChange={(e) => set({ method: val(e) as ChannelForm['method'] })}>
                <option value="POST">POST</option>
                <option value="PUT">PUT</option>
                <option value="PATCH">PATCH</option>
              </select>
            </label>
            <label>
              {t('admin.notify.auth')}
              <select value={f.auth} onChange={(e) => set({ auth: val(e) as ChannelForm['auth'] })}>
                {(['none', 'bearer', 'basic', 'header'] as const).map((a) => (
                  <option key={a} value={a}>
                    {t('admin.notify.auth.' + a)}
                  </option>
                ))}
              </select>
            </label>
            {f.auth === 'header' && input('auth_header', t('admin.notify.auth_header'), 'settings.auth_header', { required: true, maxLength: 64, placeholder: 'X-Token' })}
          </div>
          <RowsEditor
            legend={t('admin.notify.headers')}
            rows={f.headers}
            cols={[
              { key: 'key', label: t('admin.notify.header_name') },
              { key: 'value', label: t('admin.notify.header_value') },
            ]}
            blank={{ key: '', value: '' }}
            onChange={(rows) => set({ headers: rows })}
            bad={rowError?.row ?? null}
            badText={rowError ? t(rowError.error) : undefined}
            max={20}
          />
          <p class="hint">{t('admin.notify.headers_hint')}</p>
          <label>
            {t('admin.notify.template')}
            <textarea rows={4} value={f.template} placeholder="{{payload}}" onInput={(e) => set({ template: val(e) })} />
            <span class="hint">{t('admin.notify.template_hint')}</span>
            <FieldError error={error} field="settings.template" />
          </label>
        </>
      )}
      {f.kind === 'discord' && <div class="form-grid">{input('username', t('admin.notify.discord_name'), 'settings.username', { maxLength: 254 })}</div>}
      {f.kind === 'gotify' && (
        <div class="form-grid">
          {input('url', t('admin.notify.gotify_url'), 'settings.url', { required: true, type: 'url', maxLength: 2048 })}
          {input('priority', t('admin.notify.priority'), 'settings.priority', { type: 'number', min: 0, max: 10 })}
        </div>
      )}
      {f.kind === 'email' && (
        <div class="form-grid">
          {input('smtp_host', t('admin.notify.smtp_host'), 'settings.smtp_host', { required: true, maxLength: 253 })}
          {input('smtp_port', t('admin.notify.smtp_port'), 'settings.smtp_port', { type: 'number', min: 1, max: 65535, placeholder: '587' })}
          <label>
            {t('admin.notify.security')}
            <select value={f.security} onChange={(e) => set({ security: val(e) as ChannelForm['security'] })}>
              {(['starttls', 'starttls_optional', 'tls', 'none'] as const).map((s) => (
                <option key={s} value={s}>
                  {t('admin.notify.security.' + s)}
                </option>
              ))}
            </select>
          </label>
          {input('username', t('admin.notify.smtp_user'), 'settings.username', { maxLength: 254, autoComplete: 'off' })}
          {input('from', t('admin.notify.from'), 'settings.from', { required: true, type: 'email' })}
          {input('to', t('admin.notify.to'), 'settings.to', { required: true })}
        </div>
      )}
      {secret && (
        <div class="form-grid">
          <label>
            {t(secret)}
            <input
              type="password"
              autoComplete="new-password"
              maxLength={2048}
              disabled={f.clear_secret}
              placeholder={channel?.secret_set ? t('admin.secret.unchanged') : ''}
              value={f.secret}
              onInput={(e) => set({ secret: val(e) })}
            />
            <span class="hint">{channel?.secret_set ? t('admin.secret.set') : t('admin.secret.not_set')}</span>
            <FieldError error={error} field="secret" />
          </label>
          {channel?.secret_set && (
            <label class="inline">
              <input type="checkbox" checked={f.clear_secret} onChange={(e) => set({ clear_secret: checked(e), secret: '' })} />
              {t('admin.secret.clear')}
            </label>
          )}
        </div>
      )}
      <fieldset>
        <legend>{t('admin.notify.events')}</legend>
        <div class="checks">
          {NOTIFY_EVENTS.map((ev) => (
            <label class="inline" key={ev}>
              <input
                type="checkbox"
                checked={f.events.includes(ev)}
                onChange={(e) => set({ events: checked(e) ? [...f.events, ev] : f.events.filter((x) => x !== ev) })}
              />
              {t('admin.notify.event.' + ev.replace('.', '_'))}
            </label>
          ))}
        </div>
        <FieldError error={error} field="events" />
      </fieldset>
      <FormError error={error} fields={FIELDS} />
      {saved && <p role="status">{t('common.saved')}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {channel ? t('common.save') : t('admin.notify.create')}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          {channel ? t('admin.done') : t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function Deliveries({ channel, version }: { channel: NotificationChannel; version: number }) {
  const list = useCursorList<NotificationDelivery>(
    (cursor, limit, signal) =>
      api.get<Page<NotificationDelivery>>(`/admin/notifications/${channel.id}/deliveries` + query({ cursor, limit }), { signal }),
    channel.id + ':' + version,
    (d) => d.id,
  );
  return (
    <section aria-labelledby="deliveries-title">
      <h2 id="deliveries-title">{t('admin.notify.deliveries')}</h2>
      <p>
        <button type="button" class="secondary" disabled={list.loading} onClick={list.reload}>
          {t('admin.notify.refresh')}
        </button>
      </p>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {!list.loading && !list.error && list.items.length === 0 && <p class="muted">{t('admin.notify.no_deliveries')}</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="deliveries">
            <TableHead cols={[t('admin.notify.when'), t('admin.notify.event'), t('admin.notify.status'), t('admin.notify.attempts'), t('admin.notify.response')]} />
            <tbody>
              {list.items.map((d) => (
                <tr key={d.id}>
                  <td>{formatDateTime(d.sent_at ?? d.created_at)}</td>
                  <td>
                    <code>{d.event}</code>
                  </td>
                  <td>
                    <Badge value={d.status === 'sent' ? 'completed' : d.status} label={t('admin.notify.status.' + d.status)} />
                  </td>
                  <td>{d.attempts}</td>
                  <td>
                    {d.response_status ?? ''}
                    {d.last_error && <span class="job-error"> {d.last_error}</span>}
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

export function NotificationsPage() {
  const list = useLoad((signal) => api.get<{ items: NotificationChannel[] }>('/admin/notifications', { signal }), []);
  const [editing, setEditing] = useState<NotificationChannel | 'new' | null>(null);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const items = list.data?.items ?? [];

  const test = (c: NotificationChannel) => {
    setNotice('');
    return reportTo(setError, async () => {
      const q = await api.post<{ delivery_id: number; job_id: number }>(`/admin/notifications/${c.id}/test`);
      setNotice(t('admin.notify.test_queued', { name: c.name, job: q.job_id }));
      setEditing(c);
      // the delivery is tried by the worker: read the log again shortly
      setVersion((v) => v + 1);
      setTimeout(() => {
        setVersion((v) => v + 1);
        list.reload();
      }, 2000);
    });
  };

  return (
    <main class="page admin">
      <h1>{t('admin.notify')}</h1>
      <p class="muted">{t('admin.notify.intro')}</p>
      {notice && <Notice>{notice}</Notice>}
      {can('notifications:create') && editing === null && (
        <p>
          <button type="button" onClick={() => (setNotice(''), setEditing('new'))}>
            {t('admin.notify.new')}
          </button>
        </p>
      )}
      {editing !== null && (
        <ChannelFormView
          key={editing === 'new' ? 'new' : editing.id}
          channel={editing === 'new' ? undefined : editing}
          onCancel={() => setEditing(null)}
          onSaved={(c) => {
            setEditing(c);
            list.reload();
          }}
        />
      )}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {!list.data && list.loading && <Spinner />}
      {list.data && items.length === 0 && <p class="muted">{t('admin.notify.none')}</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead cols={[t('admin.notify.name'), t('admin.notify.kind'), t('admin.notify.events'), t('admin.notify.last')]} actions />
            <tbody>
              {items.map((c) => (
                <tr key={c.id}>
                  <td>
                    <strong>{c.name}</strong> {!c.enabled && <Badge value="disabled" label={t('admin.lib.disabled')} />}
                  </td>
                  <td>{t('admin.notify.kind.' + c.kind)}</td>
                  <td>{t('admin.notify.events_n', { n: c.events.length })}</td>
                  <td>
                    {c.last_delivery ? (
                      <>
                        <Badge
                          value={c.last_delivery.status === 'sent' ? 'completed' : c.last_delivery.status}
                          label={t('admin.notify.status.' + c.last_delivery.status)}
                        />{' '}
                        <span class="small muted">{formatDateTime(c.last_delivery.sent_at ?? c.last_delivery.created_at)}</span>
                      </>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                  <td>
                    <div class="actions tight">
                      <button
                        type="button"
                        class="secondary"
                        aria-label={t('admin.edit_named', { name: c.name })}
                        onClick={() => (setNotice(''), setEditing(c))}
                      >
                        {t('admin.edit')}
                      </button>
                      {can('notifications:update') && (
                        <button type="button" class="secondary" aria-label={t('admin.notify.test_named', { name: c.name })} onClick={() => test(c)}>
                          {t('admin.notify.test')}
                        </button>
                      )}
                      {can('notifications:delete') && (
                        <ConfirmButton
                          label={t('common.delete')}
                          ariaLabel={t('admin.notify.delete_confirm', { name: c.name })}
                          confirmLabel={t('admin.notify.delete_confirm', { name: c.name })}
                          onConfirm={() =>
                            reportTo(setError, async () => {
                              await api.del(`/admin/notifications/${c.id}`);
                              if (editing !== null && editing !== 'new' && editing.id === c.id) setEditing(null);
                              list.reload();
                            })
                          }
                        />
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FormError error={error} fields={[]} />
      {editing !== null && editing !== 'new' && <Deliveries channel={editing} version={version} />}
    </main>
  );
}

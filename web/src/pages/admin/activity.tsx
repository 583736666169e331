// The activity log: filters (who, action, resource type, outcome, days)
// kept in the address so a filtered view can be reloaded or shared, pages
// of entries, and export links (CSV, JSON lines) with the same filters.
import { useState } from 'preact/hooks';
import { api, Page, query as qs } from '../../lib/api';
import { formatDateTime, formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { navigate } from '../../lib/router';
import { can } from '../../lib/session';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, Spinner } from '../../components/common';
import { activityParams, exportHref, filtersFromQuery, ActivityFilters } from './logic';
import type { AuditEntry, AuditStats, User } from './types';
import { Badge, MoreButton, useCursorList, val, TableHead } from './ui';

function Json({ label, value }: { label: string; value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <div>
      <p class="small muted">{label}</p>
      <pre class="json">{JSON.stringify(value, null, 2)}</pre>
    </div>
  );
}

export function ActivityPage({ query }: PageProps) {
  const applied = filtersFromQuery(query);
  const [f, setF] = useState<ActivityFilters>(applied);
  const key = JSON.stringify(applied);
  const users = useLoad(
    (signal) =>
      can('users:list')
        ? api.get<Page<User>>('/admin/users?limit=100&sort=username', { signal }).then((p) => p.items)
        : Promise.resolve([] as User[]),
    [],
  );
  const stats = useLoad((signal) => api.get<AuditStats>('/admin/activity/stats', { signal }), []);
  const list = useCursorList<AuditEntry>(
    (cursor, limit, signal) => api.get<Page<AuditEntry>>('/admin/activity' + qs({ ...activityParams(applied), cursor, limit }), { signal }),
    key,
    (e) => e.id,
  );
  const names = new Map((users.data ?? []).map((u) => [u.id, u.username]));
  const who = (id: string | null) => (id ? names.get(id) ?? id.slice(0, 8) : t('admin.activity.anonymous'));
  const set = (k: keyof ActivityFilters) => (e: Event) => setF({ ...f, [k]: val(e) });
  const apply = (next: ActivityFilters) => {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(next)) if (v) q[k] = v;
    navigate('/admin/activity', q, true);
  };

  return (
    <main class="page admin">
      <h1>{t('admin.activity')}</h1>
      <form
        class="toolbar filters"
        aria-label={t('admin.activity.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          apply(f);
        }}
      >
        <label>
          {t('admin.activity.user')}
          <select value={f.user_id} onChange={set('user_id')}>
            <option value="">{t('admin.any')}</option>
            {f.user_id && !names.has(f.user_id) && <option value={f.user_id}>{f.user_id}</option>}
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.username}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('admin.activity.action')}
          <input list="audit-actions" maxLength={64} value={f.action} onInput={set('action')} />
          <datalist id="audit-actions">
            {stats.data?.by_action.map((a) => <option key={a.action} value={a.action} />)}
          </datalist>
        </label>
        <label>
          {t('admin.activity.resource_type')}
          <input maxLength={64} value={f.resource_type} onInput={set('resource_type')} />
        </label>
        <label>
          {t('admin.activity.outcome')}
          <select value={f.success} onChange={set('success')}>
            <option value="">{t('admin.any')}</option>
            <option value="true">{t('admin.activity.success')}</option>
            <option value="false">{t('admin.activity.failure')}</option>
          </select>
        </label>
        <label>
          {t('admin.activity.from')}
          <input type="date" value={f.from} onInput={set('from')} />
        </label>
        <label>
          {t('admin.activity.to')}
          <input type="date" value={f.to} min={f.from || undefined} onInput={set('to')} />
        </label>
        <button type="submit">{t('admin.apply')}</button>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const empty: ActivityFilters = {};
            setF(filtersFromQuery(new URLSearchParams()));
            apply(empty);
          }}
        >
          {t('admin.clear')}
        </button>
      </form>
      {can('audit:export') && (
        <p class="actions export">
          <span class="muted">{t('admin.activity.export')}</span>
          <a class="button secondary" href={exportHref(applied, 'csv')} download>
            CSV
          </a>
          <a class="button secondary" href={exportHref(applied, 'jsonl')} download>
            JSON Lines
          </a>
        </p>
      )}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && list.items.length === 0 && <Spinner />}
      {!list.loading && !list.error && list.items.length === 0 && <p class="empty-text">{t('admin.activity.none')}</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table class="activity">
            <TableHead
              cols={[
                t('admin.activity.when'),
                t('admin.activity.user'),
                t('admin.activity.action'),
                t('admin.activity.resource'),
                t('admin.activity.outcome'),
                'IP',
              ]}
            />
            <tbody>
              {list.items.map((e) => (
                <tr key={e.id}>
                  <td>{formatDateTime(e.at)}</td>
                  <td>{who(e.user_id)}</td>
                  <td>
                    <code>{e.action}</code>
                    {(e.old_values != null || e.new_values != null || e.error || e.user_agent) && (
                      <details>
                        <summary>{t('admin.activity.details')}</summary>
                        {e.error && <p class="job-error">{e.error}</p>}
                        {e.user_agent && <p class="small muted">{e.user_agent}</p>}
                        <Json label={t('admin.activity.old')} value={e.old_values} />
                        <Json label={t('admin.activity.new')} value={e.new_values} />
                      </details>
                    )}
                  </td>
                  <td>
                    {e.resource_type ?? ''}
                    {e.resource_id && <span class="muted small id"> {e.resource_id}</span>}
                  </td>
                  <td>
                    {e.success ? (
                      <Badge value="completed" label={t('admin.activity.success')} />
                    ) : (
                      <Badge value="failed" label={t('admin.activity.failure')} />
                    )}
                  </td>
                  <td>{e.ip ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <MoreButton list={list} />
      {stats.data && <p class="muted small">{t('admin.activity.total', { n: formatNumber(stats.data.total) })}</p>}
    </main>
  );
}

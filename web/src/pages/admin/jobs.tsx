// The background jobs: queue depth by priority and state, the jobs by
// state/priority/kind with their errors, retry and cancel. Refreshes every
// few seconds while the tab is visible.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, Page, query as qs } from '../../lib/api';
import { formatDateTime, formatDuration, formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { navigate } from '../../lib/router';
import { can } from '../../lib/session';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, FormError, Spinner } from '../../components/common';
import { JOB_PRIORITIES, JOB_STATES, jobActions } from './logic';
import type { Job, JobStats } from './types';
import { Badge, MoreButton, checked, useCursorList, val, TableHead } from './ui';

const REFRESH_MS = 5000;

function StatsTable({ stats }: { stats: JobStats }) {
  return (
    <div class="table-wrap">
      <table class="job-stats">
        <caption class="sr-only">{t('admin.jobs.depth')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('admin.jobs.priority')}</th>
            {JOB_STATES.map((s) => (
              <th scope="col" key={s}>
                {t('admin.jobs.state.' + s)}
              </th>
            ))}
            <th scope="col">{t('admin.jobs.oldest_due')}</th>
          </tr>
        </thead>
        <tbody>
          {JOB_PRIORITIES.map((p) => {
            const row = stats.by_priority[p] ?? {};
            return (
              <tr key={p}>
                <th scope="row">{t('admin.jobs.priority.' + p)}</th>
                {JOB_STATES.map((s) => (
                  <td key={s} class={row[s] ? 'num nonzero state-' + s : 'num'}>
                    {formatNumber(row[s] ?? 0)}
                  </td>
                ))}
                <td class="num">{row.oldest_due_seconds ? formatDuration(row.oldest_due_seconds) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('admin.jobs.total')}</th>
            {JOB_STATES.map((s) => (
              <td key={s} class="num">
                {formatNumber(stats.by_state[s] ?? 0)}
              </td>
            ))}
            <td />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function JobRow({ job, onChange }: { job: Job; onChange: (j: Job) => void }) {
  const [error, setError] = useState<unknown>(null);
  const acts = jobActions(job.state);
  const last = job.errors.length ? job.errors[job.errors.length - 1] : null;
  const act = async (what: 'retry' | 'cancel') => {
    setError(null);
    try {
      onChange(await api.post<Job>(`/admin/jobs/${job.id}/${what}`));
    } catch (e) {
      setError(e);
    }
  };
  return (
    <tr>
      <td class="num">{job.id}</td>
      <td>
        <code>{job.kind}</code>
        {last && <p class="job-error">{last.error}</p>}
        <details>
          <summary>{t('admin.jobs.details')}</summary>
          <pre class="json">{JSON.stringify(job.args, null, 2)}</pre>
          {job.errors.length > 0 && (
            <ol class="job-errors">
              {job.errors.map((e) => (
                <li key={e.attempt}>
                  {t('admin.jobs.attempt_error', { n: e.attempt, at: formatDateTime(e.at) })}: {e.error}
                </li>
              ))}
            </ol>
          )}
        </details>
      </td>
      <td>{t('admin.jobs.priority.' + job.priority)}</td>
      <td>
        <Badge value={job.state} label={t('admin.jobs.state.' + job.state)} />
        {job.cancel_requested && <span class="muted small"> {t('admin.jobs.cancel_requested')}</span>}
      </td>
      <td class="num">
        {job.attempt}/{job.max_attempts}
      </td>
      <td>{formatDateTime(job.finalized_at ?? job.attempted_at ?? job.run_at)}</td>
      <td>
        <span class="actions tight">
          {acts.retry && can('jobs:retry') && (
            <button type="button" class="secondary" aria-label={t('admin.jobs.retry_n', { n: job.id })} onClick={() => act('retry')}>
              {t('admin.jobs.retry')}
            </button>
          )}
          {acts.cancel && !job.cancel_requested && can('jobs:cancel') && (
            <button type="button" class="secondary" aria-label={t('admin.jobs.cancel_n', { n: job.id })} onClick={() => act('cancel')}>
              {t('admin.jobs.cancel')}
            </button>
          )}
        </span>
        <FormError error={error} fields={[]} />
      </td>
    </tr>
  );
}

export function JobsPage({ query }: PageProps) {
  const state = query.get('state') ?? '';
  const priority = query.get('priority') ?? '';
  const kind = query.get('kind') ?? '';
  const [kindInput, setKindInput] = useState(kind);
  const [auto, setAuto] = useState(true);
  const stats = useLoad((signal) => api.get<JobStats>('/admin/jobs/stats', { signal }), []);
  const list = useCursorList<Job>(
    (cursor, limit, signal) =>
      api.get<Page<Job>>('/admin/jobs' + qs({ state, priority, kind, cursor, limit }), { signal }),
    [state, priority, kind].join('|'),
    (j) => j.id,
  );
  const refs = useRef({ stats, list });
  refs.current = { stats, list };

  useEffect(() => {
    if (!auto) return;
    const id = setInterval(() => {
      if (document.visibilityState !== 'visible') return;
      refs.current.stats.reload();
      refs.current.list.reload();
    }, REFRESH_MS);
    return () => clearInterval(id);
  }, [auto]);

  const setFilter = (patch: Record<string, string>) =>
    navigate('/admin/jobs', { state, priority, kind, ...patch }, true);

  return (
    <main class="page admin">
      <h1>{t('admin.jobs')}</h1>
      <section aria-labelledby="depth">
        <h2 id="depth">{t('admin.jobs.depth')}</h2>
        {stats.error && <ErrorBox error={stats.error} retry={stats.reload} />}
        {stats.data ? <StatsTable stats={stats.data} /> : !stats.error && <Spinner />}
      </section>
      <section aria-labelledby="job-list">
        <h2 id="job-list">{t('admin.jobs.list')}</h2>
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter({ kind: kindInput.trim() });
          }}
        >
          <label>
            {t('admin.jobs.state')}
            <select value={state} onChange={(e) => setFilter({ state: val(e) })}>
              <option value="">{t('admin.any')}</option>
              {JOB_STATES.map((s) => (
                <option key={s} value={s}>
                  {t('admin.jobs.state.' + s)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.jobs.priority')}
            <select value={priority} onChange={(e) => setFilter({ priority: val(e) })}>
              <option value="">{t('admin.any')}</option>
              {JOB_PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t('admin.jobs.priority.' + p)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('admin.jobs.kind')}
            <input value={kindInput} maxLength={64} placeholder="library.scan" onInput={(e) => setKindInput(val(e))} />
          </label>
          <button type="submit" class="secondary">
            {t('admin.apply')}
          </button>
          <button type="button" class="secondary" onClick={() => setFilter({ state: 'discarded' })}>
            {t('admin.jobs.failures')}
          </button>
          <label class="inline">
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(checked(e))} />
            {t('admin.jobs.auto')}
          </label>
        </form>
        {list.error && <ErrorBox error={list.error} retry={list.reload} />}
        {list.loading && list.items.length === 0 && <Spinner />}
        {!list.loading && !list.error && list.items.length === 0 && <p class="empty-text">{t('admin.jobs.none')}</p>}
        {list.items.length > 0 && (
          <div class="table-wrap">
            <table class="jobs">
              <TableHead
                cols={[
                  '#',
                  t('admin.jobs.kind'),
                  t('admin.jobs.priority'),
                  t('admin.jobs.state'),
                  t('admin.jobs.attempts'),
                  t('admin.jobs.when'),
                ]}
                actions
              />
              <tbody>
                {list.items.map((j) => (
                  <JobRow
                    key={j.id}
                    job={j}
                    onChange={(next) => {
                      list.update((x) => x.id === next.id, next);
                      stats.reload();
                    }}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
        <MoreButton list={list} />
      </section>
    </main>
  );
}

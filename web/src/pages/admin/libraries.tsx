// Libraries: the list with "scan now" and live progress, a new library's
// form, and one library's page (settings, scan history, who may see it,
// delete).
import { useState } from 'preact/hooks';
import { api, ApiError, Page, query } from '../../lib/api';
import { formatDateTime, formatDuration, formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { href, navigate } from '../../lib/router';
import { can } from '../../lib/session';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, FormError, Spinner } from '../../components/common';
import { LibraryFormView } from './library-form';
import { ScanControl } from './scan';
import type { Grant, Library, Scan, User } from './types';
import { Badge, ConfirmButton, MoreButton, Notice, useCursorList, val, TableHead } from './ui';

async function allLibraries(signal: AbortSignal): Promise<Library[]> {
  const out: Library[] = [];
  let cursor: string | null = null;
  do {
    const p: Page<Library> = await api.get<Page<Library>>('/libraries' + query({ limit: 100, cursor }), { signal });
    out.push(...p.items);
    cursor = p.next_cursor ?? null;
  } while (cursor && out.length < 1000);
  return out;
}

function itemCount(l: Library): string {
  return l.type === 'movie'
    ? t('admin.lib.movies_n', { n: formatNumber(l.counts.movies ?? 0) })
    : t('admin.lib.series_n', { n: formatNumber(l.counts.series ?? 0) });
}

function LibraryCard({ library, onScanned }: { library: Library; onScanned: () => void }) {
  const l = library;
  return (
    <section class="lib-card" aria-labelledby={'lib-' + l.id}>
      <h2 id={'lib-' + l.id}>
        <a href={href('/admin/libraries/' + l.id)}>{l.name}</a>
      </h2>
      <p class="meta">
        <span>{t('admin.lib.type.' + l.type)}</span>
        <span>{itemCount(l)}</span>
        <span>{t('admin.lib.files_n', { n: formatNumber(l.counts.files ?? 0) })}</span>
        {(l.counts.unmatched ?? 0) > 0 && (
          <a href={href(`/admin/libraries/${l.id}/unmatched`)}>
            {t('admin.lib.unmatched_n', { n: formatNumber(l.counts.unmatched ?? 0) })}
          </a>
        )}
        {l.visibility === 'granted' && <Badge value="restricted" label={t('admin.lib.restricted')} />}
        {!l.enabled && <Badge value="disabled" label={t('admin.lib.disabled')} />}
      </p>
      <ul class="paths">
        {l.paths.map((p) => (
          <li key={p}>
            <code>{p}</code>
          </li>
        ))}
      </ul>
      <p class="muted small">
        {l.last_scan_at ? t('admin.lib.last_scan', { at: formatDateTime(l.last_scan_at) }) : t('admin.lib.never_scanned')}
      </p>
      <ScanControl library={l} onDone={onScanned} />
    </section>
  );
}

export function LibrariesPage() {
  const libs = useLoad(allLibraries, []);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<Library | null>(null);
  return (
    <main class="page admin">
      <h1>{t('admin.libraries')}</h1>
      {can('libraries:create') && !adding && (
        <div class="actions">
          <button type="button" onClick={() => setAdding(true)}>
            {t('admin.lib.new')}
          </button>
        </div>
      )}
      {adding && (
        <LibraryFormView
          onSaved={(l) => {
            setAdding(false);
            setCreated(l);
            libs.reload();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {created && <Notice>{t('admin.lib.created', { name: created.name })}</Notice>}
      {libs.error && <ErrorBox error={libs.error} retry={libs.reload} />}
      {!libs.data && libs.loading && <Spinner />}
      {libs.data && libs.data.length === 0 && <p class="empty-text">{t('admin.lib.none')}</p>}
      <div class="lib-list">
        {libs.data?.map((l) => <LibraryCard key={l.id} library={l} onScanned={libs.reload} />)}
      </div>
    </main>
  );
}

// --- one library -----------------------------------------------------------

function ScanHistory({ libraryId, version }: { libraryId: string; version: number }) {
  const list = useCursorList<Scan>(
    (cursor, limit, signal) => api.get<Page<Scan>>(`/libraries/${libraryId}/scans` + query({ cursor, limit }), { signal }),
    libraryId + ':' + version,
    (s) => s.id,
  );
  return (
    <section aria-labelledby="scan-history">
      <h2 id="scan-history">{t('admin.scan.history')}</h2>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.items.length === 0 && !list.loading && <p class="empty-text">{t('admin.scan.none')}</p>}
      {list.items.length > 0 && (
        <div class="table-wrap">
          <table>
            <TableHead
              cols={[
                t('admin.scan.started'),
                t('admin.scan.type'),
                t('admin.scan.state'),
                t('admin.scan.seen'),
                t('admin.scan.added'),
                t('admin.scan.changed'),
                t('admin.scan.removed'),
                t('admin.scan.error_count'),
                t('admin.scan.duration'),
              ]}
            />
            <tbody>
              {list.items.map((s) => (
                <tr key={s.id}>
                  <td>{formatDateTime(s.started_at ?? s.created_at)}</td>
                  <td>{t('admin.scan.type.' + s.scan_type)}</td>
                  <td>
                    <Badge value={s.status} label={t('admin.scan.status.' + s.status)} />
                    {s.message && <span class="muted small"> {s.message}</span>}
                  </td>
                  <td>{formatNumber(s.files.seen ?? 0)}</td>
                  <td>{formatNumber(s.files.added ?? 0)}</td>
                  <td>{formatNumber(s.files.changed ?? 0)}</td>
                  <td>{formatNumber((s.files.removed ?? 0) + (s.files.missing ?? 0))}</td>
                  <td>{formatNumber(s.error_count)}</td>
                  <td>{s.duration_ms != null ? formatDuration(Math.round(s.duration_ms / 1000)) : ''}</td>
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

/** The account with exactly this username (any letter case), via the users search. */
async function findUser(username: string): Promise<User | undefined> {
  const p = await api.get<Page<User>>('/admin/users' + query({ q: username, limit: 100 }));
  return p.items.find((u) => u.username.toLowerCase() === username.toLowerCase());
}

function Grants({ library }: { library: Library }) {
  const list = useCursorList<Grant>(
    (cursor, limit, signal) =>
      api.get<Page<Grant>>(`/libraries/${library.id}/permissions` + query({ cursor, limit }), { signal }),
    library.id,
    (g) => g.user_id,
  );
  const [username, setUsername] = useState('');
  const [level, setLevel] = useState<Grant['level']>('view');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const u = await findUser(username.trim());
      if (!u) throw new ApiError(404, { detail: t('admin.grants.no_user', { name: username.trim() }), field: 'user' });
      await api.post(`/libraries/${library.id}/permissions`, { user_id: u.id, level });
      setUsername('');
      list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="grants">
      <h2 id="grants">{t('admin.grants')}</h2>
      <p class="muted">
        {library.visibility === 'granted' ? t('admin.grants.granted_only') : t('admin.grants.everyone')}
      </p>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.items.length > 0 && (
        <ul class="plain-list">
          {list.items.map((g) => (
            <li key={g.user_id}>
              <span>
                <strong>{g.username}</strong> — {t('admin.grants.level.' + g.level)}
              </span>
              <ConfirmButton
                label={t('admin.grants.revoke')}
                ariaLabel={t('admin.grants.revoke_confirm', { name: g.username })}
                confirmLabel={t('admin.grants.revoke_confirm', { name: g.username })}
                onConfirm={async () => {
                  await api.del(`/libraries/${library.id}/permissions/${g.user_id}`);
                  list.update((x) => x.user_id === g.user_id, null);
                }}
              />
            </li>
          ))}
        </ul>
      )}
      <MoreButton list={list} />
      <form class="toolbar" onSubmit={add}>
        <label>
          {t('admin.grants.username')}
          <input required value={username} onInput={(e) => setUsername(val(e))} autoComplete="off" />
        </label>
        <label>
          {t('admin.grants.level')}
          <select value={level} onChange={(e) => setLevel(val(e) as Grant['level'])}>
            <option value="view">{t('admin.grants.level.view')}</option>
            <option value="download">{t('admin.grants.level.download')}</option>
            <option value="manage">{t('admin.grants.level.manage')}</option>
          </select>
        </label>
        <button type="submit" disabled={busy}>
          {t('admin.grants.add')}
        </button>
      </form>
      <FormError error={error} fields={[]} />
    </section>
  );
}

export function LibraryPage({ params }: PageProps) {
  const lib = useLoad((signal) => api.get<Library>(`/libraries/${params.id}`, { signal }), [params.id]);
  const [version, setVersion] = useState(0);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const l = lib.data;
  return (
    <main class="page admin">
      <p>
        <a href={href('/admin/libraries')}>← {t('admin.libraries')}</a>
      </p>
      {lib.error && <ErrorBox error={lib.error} retry={lib.reload} />}
      {!l && lib.loading && <Spinner />}
      {l && (
        <>
          <h1>{l.name}</h1>
          <p class="meta">
            <span>{t('admin.lib.type.' + l.type)}</span>
            <span>{itemCount(l)}</span>
            <span>{t('admin.lib.files_n', { n: formatNumber(l.counts.files ?? 0) })}</span>
            <a href={href(`/admin/libraries/${l.id}/unmatched`)}>
              {t('admin.lib.unmatched_n', { n: formatNumber(l.counts.unmatched ?? 0) })}
            </a>
          </p>
          <ScanControl
            library={l}
            onDone={() => {
              lib.reload();
              setVersion((v) => v + 1);
            }}
          />
          <LibraryFormView key={l.id} library={l} onSaved={() => lib.reload()} />
          <ScanHistory libraryId={l.id} version={version} />
          <Grants library={l} />
          {can('libraries:delete') && (
            <section aria-labelledby="danger" class="danger-zone">
              <h2 id="danger">{t('admin.lib.delete')}</h2>
              <p class="muted">{t('admin.lib.delete_hint')}</p>
              <ConfirmButton
                label={t('admin.lib.delete')}
                confirmLabel={t('admin.lib.delete_confirm', { name: l.name })}
                onConfirm={async () => {
                  try {
                    await api.del(`/libraries/${l.id}`);
                    navigate('/admin/libraries');
                  } catch (e) {
                    setDeleteError(e);
                  }
                }}
              />
              <FormError error={deleteError} fields={[]} />
            </section>
          )}
        </>
      )}
    </main>
  );
}

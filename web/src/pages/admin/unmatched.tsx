// A library's files waiting for a manual match: what the filename parser
// read, the provider's best candidates, and a match by TMDb id.
import { useState } from 'preact/hooks';
import { api, Page, query } from '../../lib/api';
import { formatNumber, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { href } from '../../lib/router';
import { can } from '../../lib/session';
import type { PageProps } from '../../lib/routes';
import { ErrorBox, FieldError, FormError, Spinner } from '../../components/common';
import type { Library, UnmatchedFile } from './types';
import { Badge, MoreButton, Notice, useCursorList, val } from './ui';

function parsedLine(f: UnmatchedFile): string {
  const p = f.parsed ?? {};
  const parts: string[] = [];
  if (p.title) parts.push(p.title);
  if (p.year) parts.push(`(${p.year})`);
  if (p.season != null) parts.push(`S${String(p.season).padStart(2, '0')}` + (p.episode != null ? `E${String(p.episode).padStart(2, '0')}` : ''));
  return parts.join(' ');
}

function FileRow({ file, onMatched }: { file: UnmatchedFile; onMatched: (tmdbId: number, jobId: number) => void }) {
  const [tmdb, setTmdb] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const editable = can('libraries:update');
  const match = async (tmdbId: number) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ job_id: number }>(`/files/${file.id}/match`, { tmdb_id: tmdbId });
      onMatched(tmdbId, r.job_id);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  const fid = 'f-' + file.id;
  return (
    <li class="unmatched" aria-labelledby={fid}>
      <p id={fid} class="path">
        <code>{file.path}</code>
      </p>
      <p class="meta">
        <Badge value={file.match_status} label={t('admin.unmatched.status.' + file.match_status)} />
        {parsedLine(file) && <span>{t('admin.unmatched.parsed', { what: parsedLine(file) })}</span>}
      </p>
      {file.match_candidates && file.match_candidates.length > 0 ? (
        <div>
          <p class="muted small">{t('admin.unmatched.candidates')}</p>
          <ul class="chips">
            {file.match_candidates.map((c) => (
              <li key={c.tmdb_id}>
                <button type="button" class="secondary" disabled={busy || !editable} onClick={() => match(c.tmdb_id)}>
                  {t('admin.unmatched.match_to', {
                    title: c.title + (c.year ? ` (${c.year})` : ''),
                    pct: formatNumber(Math.round(c.confidence)),
                  })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        <p class="muted small">{t('admin.unmatched.no_candidates')}</p>
      )}
      {editable && (
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(tmdb);
            if (Number.isInteger(n) && n > 0) void match(n);
          }}
        >
          <label>
            {t('admin.unmatched.tmdb_id')}
            <input
              type="number"
              min={1}
              max={2147483647}
              required
              inputMode="numeric"
              value={tmdb}
              onInput={(e) => setTmdb(val(e))}
            />
          </label>
          <button type="submit" disabled={busy}>
            {t('admin.unmatched.match')}
          </button>
        </form>
      )}
      <FieldError error={error} field="tmdb_id" />
      <FormError error={error} fields={['tmdb_id']} />
    </li>
  );
}

export function UnmatchedPage({ params }: PageProps) {
  const lib = useLoad((signal) => api.get<Library>(`/libraries/${params.id}`, { signal }), [params.id]);
  const list = useCursorList<UnmatchedFile>(
    (cursor, limit, signal) =>
      api.get<Page<UnmatchedFile>>(`/libraries/${params.id}/unmatched` + query({ cursor, limit }), { signal }),
    params.id,
    (f) => f.id,
  );
  const [done, setDone] = useState<{ path: string; tmdb: number; job: number } | null>(null);
  return (
    <main class="page admin">
      <p>
        <a href={href('/admin/libraries/' + params.id)}>← {lib.data?.name ?? t('admin.libraries')}</a>
      </p>
      <h1>{t('admin.unmatched.title')}</h1>
      <p class="muted">{t('admin.unmatched.intro')}</p>
      {done && (
        <Notice>{t('admin.unmatched.queued', { path: done.path, tmdb: done.tmdb, job: done.job })}</Notice>
      )}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && list.items.length === 0 && <Spinner />}
      {!list.loading && !list.error && list.items.length === 0 && <p class="empty-text">{t('admin.unmatched.none')}</p>}
      <ul class="plain-list unmatched-list">
        {list.items.map((f) => (
          <FileRow
            key={f.id}
            file={f}
            onMatched={(tmdb, job) => {
              setDone({ path: f.path, tmdb, job });
              list.update((x) => x.id === f.id, null);
            }}
          />
        ))}
      </ul>
      <MoreButton list={list} />
    </main>
  );
}

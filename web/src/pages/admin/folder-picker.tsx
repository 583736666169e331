// The folder picker of the library form: browses the server's folders
// inside library.allowed_roots through GET /admin/directories, in a modal
// <dialog> (focus stays inside, Escape closes). A server without that route
// answers 404 for the route itself; the picker then says so and the form's
// text input is the way to give the path.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, query } from '../../lib/api';
import { t } from '../../lib/i18n';
import { Spinner } from '../../components/common';
import { breadcrumbs, isInside, pickerUnavailable } from './logic';
import type { DirectoryListing } from './types';

function listDirs(path: string | null, signal?: AbortSignal): Promise<DirectoryListing> {
  return api.get<DirectoryListing>('/admin/directories' + query({ path }), { signal });
}

export function FolderPicker({
  start,
  onPick,
  onClose,
}: {
  start: string | null;
  onPick: (path: string) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [roots, setRoots] = useState<string[]>([]);
  const [listing, setListing] = useState<DirectoryListing | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [busy, setBusy] = useState(true);
  const ctl = useRef<AbortController | null>(null);

  const open = async (path: string | null) => {
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setBusy(true);
    setError(null);
    try {
      const l = await listDirs(path, c.signal);
      if (c.signal.aborted) return;
      if (l.path === null) setRoots(l.directories.map((d) => d.path));
      setListing(l);
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      if (e instanceof ApiError && pickerUnavailable(e.status, e.field)) setUnavailable(true);
      else setError(e as Error);
    } finally {
      if (!c.signal.aborted) setBusy(false);
    }
  };

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    // The roots first (they make the breadcrumbs), then the typed folder when it lies in one.
    (async () => {
      ctl.current = new AbortController();
      try {
        const l = await listDirs(null, ctl.current.signal);
        const rs = l.directories.map((x) => x.path);
        setRoots(rs);
        setListing(l);
        setBusy(false);
        if (start && rs.some((r) => isInside(start, r))) await open(start);
      } catch (e) {
        if ((e as Error).name === 'AbortError') return;
        if (e instanceof ApiError && pickerUnavailable(e.status, e.field)) setUnavailable(true);
        else setError(e as Error);
        setBusy(false);
      }
    })();
    return () => ctl.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const here = listing?.path ?? null;
  const crumbs = breadcrumbs(here, roots, t('admin.picker.roots'));

  return (
    <dialog
      ref={dialog}
      class="picker"
      aria-labelledby="picker-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="picker-title">{t('admin.picker.title')}</h2>
      {unavailable ? (
        <p class="notice">{t('admin.picker.unavailable')}</p>
      ) : (
        <>
          <nav aria-label={t('admin.picker.breadcrumbs')} class="crumbs">
            {crumbs.map((c, i) =>
              i === crumbs.length - 1 ? (
                <span key={i} aria-current="location">
                  {c.label}
                </span>
              ) : (
                <button key={i} type="button" class="link" onClick={() => open(c.path)}>
                  {c.label}
                </button>
              ),
            )}
          </nav>
          {here && <p class="picker-here muted">{here}</p>}
          {error && (
            <p class="form-error" role="alert">
              {error instanceof ApiError && error.status === 403
                ? t('admin.picker.outside')
                : error instanceof ApiError && error.status === 404
                  ? t('admin.picker.missing')
                  : error.message}
            </p>
          )}
          {busy ? (
            <Spinner />
          ) : (
            <ul class="picker-list" aria-label={t('admin.picker.folders')}>
              {listing?.parent !== undefined && here !== null && (
                <li>
                  <button type="button" class="link" onClick={() => open(listing?.parent ?? null)}>
                    ↑ {t('admin.picker.up')}
                  </button>
                </li>
              )}
              {listing?.directories.map((d) => (
                <li key={d.path}>
                  <button type="button" class="link folder" onClick={() => open(d.path)}>
                    {here === null ? d.path : d.name}
                  </button>
                </li>
              ))}
              {listing && listing.directories.length === 0 && <li class="muted">{t('admin.picker.empty')}</li>}
            </ul>
          )}
          {listing?.truncated && <p class="muted">{t('admin.picker.truncated')}</p>}
        </>
      )}
      <div class="actions">
        {!unavailable && (
          <button type="button" disabled={!here || busy} onClick={() => here && onPick(here)}>
            {t('admin.picker.choose')}
          </button>
        )}
        <button type="button" class="secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </dialog>
  );
}

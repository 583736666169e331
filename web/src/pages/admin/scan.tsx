// "Scan now" and the live progress of a library's scan: POST …/scan, then
// GET …/scans/{scan_id} every second while it is queued or running.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { formatDuration, formatNumber, t } from '../../lib/i18n';
import { can } from '../../lib/session';
import type { Page } from '../../lib/api';
import { activeScan, mergeScan, nextPollDelay, scanActive } from './logic';
import type { Library, Scan, ScanQueued } from './types';
import { Badge } from './ui';

export function ScanProgress({ scan }: { scan: Scan }) {
  const f = scan.files;
  const active = scanActive(scan.status);
  const elapsed = scan.elapsed_ms ?? scan.duration_ms;
  return (
    <div class="scan-progress" role="status" aria-live="polite" data-status={scan.status}>
      <Badge value={scan.status} label={t('admin.scan.status.' + scan.status)} />
      {active && <progress aria-label={t('admin.scan.running')} />}
      <span>
        {t('admin.scan.counts', {
          seen: formatNumber(f.seen ?? 0),
          added: formatNumber(f.added ?? 0),
          changed: formatNumber(f.changed ?? 0),
          removed: formatNumber((f.removed ?? 0) + (f.missing ?? 0)),
        })}
      </span>
      <span>{t('admin.scan.dirs', { n: formatNumber(scan.dirs_walked) })}</span>
      {scan.error_count > 0 && <span class="warn-text">{t('admin.scan.errors', { n: formatNumber(scan.error_count) })}</span>}
      {elapsed != null && <span>{formatDuration(Math.round(elapsed / 1000))}</span>}
      {scan.message && <span class="muted">{scan.message}</span>}
    </div>
  );
}

/**
 * Follow one scan until it ends. Returns the scan as last seen; calls
 * onDone once with the final scan.
 */
export function useScanFollow(libraryId: string, onDone?: (s: Scan) => void) {
  const [scan, setScan] = useState<Scan | undefined>();
  const [scanId, setScanId] = useState<number | null>(null);
  const done = useRef(onDone);
  done.current = onDone;

  useEffect(() => {
    if (scanId === null) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let last: Scan | undefined;
    const ctl = new AbortController();
    const tick = async () => {
      try {
        const s = await api.get<Scan>(`/libraries/${libraryId}/scans/${scanId}`, { signal: ctl.signal });
        failures = 0;
        last = mergeScan(last, s);
        setScan(last);
      } catch (e) {
        if ((e as Error).name === 'AbortError') return;
        failures++;
      }
      const delay = nextPollDelay(last?.status, failures);
      if (delay === null) {
        if (last) done.current?.(last);
        return;
      }
      timer = setTimeout(tick, delay);
    };
    void tick();
    return () => {
      ctl.abort();
      if (timer) clearTimeout(timer);
    };
  }, [libraryId, scanId]);

  return { scan, follow: setScanId };
}

/** The newest scan of a library still queued or running, if any. */
async function runningScan(libraryId: string): Promise<Scan | undefined> {
  const h = await api.get<Page<Scan>>(`/libraries/${libraryId}/scans?limit=5`);
  return activeScan(h.items);
}

/** The "Scan now" button of a library with the progress of its scan. */
export function ScanControl({ library, onDone }: { library: Library; onDone?: (s: Scan) => void }) {
  const { scan, follow } = useScanFollow(library.id, onDone);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  // A scan already under way when the page opened is followed too.
  useEffect(() => {
    if (!library.scanning) return;
    runningScan(library.id).then((s) => s && follow(s.id), () => undefined);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [library.id]);

  const start = async (scanType: 'incremental' | 'full') => {
    setBusy(true);
    setError(null);
    try {
      const q = await api.post<ScanQueued>(`/libraries/${library.id}/scan`, { scan_type: scanType });
      follow(q.scan_id);
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && e.field === 'scan') {
        const s = await runningScan(library.id).catch(() => undefined);
        if (s) follow(s.id);
        else setError(e);
      } else setError(e as Error);
    } finally {
      setBusy(false);
    }
  };

  const active = busy || (scan !== undefined && scanActive(scan.status));
  return (
    <div class="scan-control">
      {can('libraries:scan') && (
        <span class="actions tight">
          <button
            type="button"
            disabled={active || !library.enabled}
            onClick={() => start('incremental')}
            aria-label={t('admin.scan.now_named', { name: library.name })}
          >
            {t('admin.scan.now')}
          </button>
          <button
            type="button"
            class="secondary"
            disabled={active || !library.enabled}
            onClick={() => start('full')}
            aria-label={t('admin.scan.full_named', { name: library.name })}
          >
            {t('admin.scan.full')}
          </button>
        </span>
      )}
      {scan && <ScanProgress scan={scan} />}
      {error && (
        <p class="form-error" role="alert">
          {error.message}
        </p>
      )}
    </div>
  );
}

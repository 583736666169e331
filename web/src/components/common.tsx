// Pieces most pages share: loading and error states, posters, rows of cards
// and a list that loads the next cursor page as it scrolls into view.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, Page } from '../lib/api';
import { t } from '../lib/i18n';

export function Spinner() {
  return (
    <div class="spinner" role="status" aria-live="polite">
      {t('common.loading')}
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: Error; retry?: () => void }) {
  const status = error instanceof ApiError ? error.status : 0;
  const msg =
    status === 403 ? t('common.forbidden') : status === 404 ? t('common.not_found') : error.message || t('common.error');
  return (
    <div class="error" role="alert">
      <p>{msg}</p>
      {retry && (
        <button type="button" onClick={retry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}

/** An image from /images/ (or a placeholder when there is none), lazy-loaded. */
export function Poster({ src, alt, wide }: { src?: string | null; alt: string; wide?: boolean }) {
  const cls = wide ? 'poster wide' : 'poster';
  if (!src) {
    return (
      <div class={cls + ' empty'} aria-label={alt} role="img">
        <span>{alt.slice(0, 1).toUpperCase()}</span>
      </div>
    );
  }
  return <img class={cls} src={src} alt={alt} loading="lazy" decoding="async" />;
}

export function Card({
  href,
  title,
  subtitle,
  image,
  wide,
  progress,
}: {
  href: string;
  title: string;
  subtitle?: string;
  image?: string | null;
  wide?: boolean;
  /** 0..1: a bar under the image */
  progress?: number;
}) {
  return (
    <a class={wide ? 'card wide' : 'card'} href={href}>
      <Poster src={image} alt={title} wide={wide} />
      {progress !== undefined && progress > 0 && (
        <span class="progress" aria-hidden="true">
          <span style={{ width: `${Math.min(100, Math.round(progress * 100))}%` }} />
        </span>
      )}
      <span class="card-title">{title}</span>
      {subtitle && <span class="card-sub">{subtitle}</span>}
    </a>
  );
}

/** A titled horizontal row; hidden when it has nothing to show. */
export function Row({ title, children, empty }: { title: string; children: ComponentChildren; empty: boolean }) {
  if (empty) return null;
  return (
    <section class="row" aria-label={title}>
      <h2>{title}</h2>
      <div class="row-items">{children}</div>
    </section>
  );
}

/**
 * A grid that fetches the next page (by next_cursor) when its end scrolls
 * into view. fetchPage(cursor) returns one page; changing `resetKey` starts
 * over (new filters or sort).
 */
export function InfiniteGrid<T>({
  fetchPage,
  resetKey,
  render,
  emptyText,
}: {
  fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<Page<T>>;
  resetKey: string;
  render: (item: T) => ComponentChildren;
  emptyText: string;
}) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null | undefined>(null);
  const [error, setError] = useState<Error | undefined>();
  const [busy, setBusy] = useState(false);
  const sentinel = useRef<HTMLDivElement>(null);
  const gen = useRef(0);

  const load = (from: string | null, g: number, ctl: AbortController) => {
    setBusy(true);
    fetchPage(from, ctl.signal).then(
      (p) => {
        if (g !== gen.current) return;
        setItems((old) => (from ? [...old, ...p.items] : p.items));
        setCursor(p.next_cursor ?? undefined);
        setBusy(false);
      },
      (e: Error) => {
        if (g !== gen.current || e.name === 'AbortError') return;
        setError(e);
        setBusy(false);
      },
    );
  };

  useEffect(() => {
    const g = ++gen.current;
    const ctl = new AbortController();
    setItems([]);
    setError(undefined);
    setCursor(null);
    load(null, g, ctl);
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resetKey]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el || busy || !cursor) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) {
        io.disconnect();
        load(cursor, gen.current, new AbortController());
      }
    }, { rootMargin: '600px' });
    io.observe(el);
    return () => io.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cursor, busy]);

  return (
    <div>
      <div class="grid">{items.map(render)}</div>
      {busy && <Spinner />}
      {error && <ErrorBox error={error} retry={() => load(cursor ?? null, gen.current, new AbortController())} />}
      {!busy && !error && items.length === 0 && <p class="empty-text">{emptyText}</p>}
      <div ref={sentinel} class="sentinel" data-more={cursor ? 'yes' : 'no'} />
    </div>
  );
}

/** A field's error under a form input, from the problem's `field`. */
export function FieldError({ error, field }: { error: unknown; field: string }) {
  if (!(error instanceof ApiError) || error.field !== field) return null;
  return (
    <p class="field-error" role="alert">
      {error.message}
    </p>
  );
}

/** A form-level error for problems that blame no field shown in the form. */
export function FormError({ error, fields }: { error: unknown; fields: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return null;
  return (
    <p class="form-error" role="alert">
      {(error as Error).message}
    </p>
  );
}

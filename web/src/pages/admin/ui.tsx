// Pieces the admin pages share: a cursor-paged list with a "more" button,
// a delete button that asks again in place, and a short-lived notice.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from '../../lib/api';
import { t } from '../../lib/i18n';
import type { RowError } from './forms';
import { appendPage } from './logic';
import './admin.css';

export interface CursorList<T> {
  items: T[];
  error: Error | undefined;
  loading: boolean;
  hasMore: boolean;
  more: () => void;
  reload: () => void;
  /** replace one item in place (after an edit) or drop it (null) */
  update: (match: (x: T) => boolean, next: T | null) => void;
}

/**
 * A list read page by page (next_cursor); a new `resetKey` starts over.
 * reload() reads the first page again, as many rows as are shown (up to 100).
 */
export function useCursorList<T>(
  fetchPage: (cursor: string | null, limit: number, signal: AbortSignal) => Promise<Page<T>>,
  resetKey: string,
  key: (x: T) => string | number,
): CursorList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const [loading, setLoading] = useState(true);
  const gen = useRef(0);
  const ctl = useRef<AbortController | null>(null);
  const shown = useRef(0);

  const load = (from: string | null, limit: number) => {
    const g = ++gen.current;
    ctl.current?.abort();
    const c = new AbortController();
    ctl.current = c;
    setLoading(true);
    fetchPage(from, limit, c.signal).then(
      (p) => {
        if (g !== gen.current) return;
        setItems((old) => {
          const next = from ? appendPage(old, p.items, key) : p.items;
          shown.current = next.length;
          return next;
        });
        setCursor(p.next_cursor ?? null);
        setError(undefined);
        setLoading(false);
      },
      (e: Error) => {
        if (g !== gen.current || e.name === 'AbortError') return;
        setError(e);
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    shown.current = 0;
    setItems([]);
    setCursor(null);
    load(null, 20);
    return () => ctl.current?.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resetKey]);

  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    more: () => cursor && load(cursor, 20),
    reload: () => load(null, Math.min(100, Math.max(20, shown.current))),
    update: (match, next) =>
      setItems((old) => (next === null ? old.filter((x) => !match(x)) : old.map((x) => (match(x) ? next : x)))),
  };
}

/** The "more" button under a cursor list. */
export function MoreButton({ list }: { list: { hasMore: boolean; loading: boolean; more: () => void } }) {
  if (!list.hasMore) return null;
  return (
    <p>
      <button type="button" class="secondary" disabled={list.loading} onClick={list.more}>
        {t('admin.more')}
      </button>
    </p>
  );
}

/**
 * Run a page's action with its error shown by the page: setError is
 * cleared first and given what fn throws.
 */
export async function reportTo(setError: (e: unknown) => void, fn: () => Promise<void>) {
  setError(null);
  try {
    await fn();
  } catch (e) {
    setError(e);
  }
}

/** A button that asks "really?" in place before it acts. */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  disabled,
  ariaLabel,
}: {
  label: string;
  /** a longer accessible name when several such buttons share a page */
  ariaLabel?: string;
  confirmLabel: string;
  onConfirm: () => void | Promise<void>;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) yes.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" class="secondary danger" disabled={disabled} aria-label={ariaLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={confirmLabel}>
      <button
        ref={yes}
        type="button"
        class="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          try {
            await onConfirm();
          } finally {
            setBusy(false);
            setAsking(false);
          }
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        {t('common.cancel')}
      </button>
    </span>
  );
}

/** A message that announces itself to screen readers. */
export function Notice({ children, kind = 'ok' }: { children: ComponentChildren; kind?: 'ok' | 'warn' }) {
  return (
    <p class={'notice admin-notice ' + kind} role="status">
      {children}
    </p>
  );
}

/** A state name as a coloured badge (the class picks the colour). */
export function Badge({ value, label }: { value: string; label?: string }) {
  return <span class={'badge badge-' + value}>{label ?? value}</span>;
}

/** The value of an input event's target. */
export function val(e: Event): string {
  return (e.target as HTMLInputElement).value;
}

export function checked(e: Event): boolean {
  return (e.target as HTMLInputElement).checked;
}

/** A table's header row: one column per label, then an unlabelled (for
 * screen readers: "Actions") column for row buttons when `actions`. */
export function TableHead({ cols, actions }: { cols: string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {cols.map((c) => (
          <th scope="col" key={c}>
            {c}
          </th>
        ))}
        {actions && (
          <th scope="col">
            <span class="sr-only">{t('admin.actions')}</span>
          </th>
        )}
      </tr>
    </thead>
  );
}

/** A value to copy elsewhere (a URL, a secret shown once): read-only, selected on focus, with a copy button. */
export function CopyField({ label, value, id }: { label: string; value: string; id: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="copy-field">
      <label for={id}>{label}</label>
      <div class="path-row">
        <input id={id} class="grow token" readOnly value={value} onFocus={(e) => (e.target as HTMLInputElement).select()} />
        {typeof navigator !== 'undefined' && navigator.clipboard && (
          <button
            type="button"
            class="secondary"
            aria-label={t('admin.copy_named', { name: label })}
            onClick={() => navigator.clipboard.writeText(value).then(() => setCopied(true), () => undefined)}
          >
            {copied ? t('admin.copied') : t('admin.copy')}
          </button>
        )}
      </div>
    </div>
  );
}

/** The editor of value → value rows (role map, path map, headers): one row of two inputs each. */
export function RowsEditor<R extends Record<string, string>>({
  legend,
  rows,
  cols,
  blank,
  onChange,
  bad,
  badText,
  max = 32,
}: {
  legend: string;
  rows: R[];
  /** the two members of a row, with their labels and placeholders */
  cols: { key: keyof R & string; label: string; placeholder?: string; list?: string }[];
  blank: R;
  onChange: (rows: R[]) => void;
  /** the row an error names, and the text */
  bad?: number | null;
  badText?: string;
  max?: number;
}) {
  const set = (i: number, k: string, v: string) => onChange(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  return (
    <fieldset>
      <legend>{legend}</legend>
      {rows.map((r, i) => (
        <div class="path-row" key={i}>
          {cols.map((c) => (
            <label class="grow" key={c.key}>
              <span class="sr-only">{t('admin.rows.cell', { col: c.label, n: i + 1 })}</span>
              <input value={r[c.key]} list={c.list} placeholder={c.placeholder ?? c.label} aria-invalid={bad === i} onInput={(e) => set(i, c.key, val(e))} />
            </label>
          ))}
          <button
            type="button"
            class="secondary"
            aria-label={t('admin.rows.remove_n', { n: i + 1 })}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          >
            ✕
          </button>
          {bad === i && badText && (
            <p class="field-error" role="alert">
              {badText}
            </p>
          )}
        </div>
      ))}
      {rows.length < max && (
        <button type="button" class="link" onClick={() => onChange([...rows, { ...blank }])}>
          + {t('admin.rows.add')}
        </button>
      )}
    </fieldset>
  );
}

/**
 * The submit of a form whose body builder (forms.ts) can refuse a
 * half-filled row before anything is sent: that refusal is kept apart
 * from the server's error, and busy is set while save runs. done gets
 * what save answered (its throw is the form's error too).
 */
export function useRowSubmit<B, R>(
  build: () => { body: B } | RowError,
  save: (body: B) => Promise<R>,
  done: (saved: R) => void,
) {
  const [error, setError] = useState<unknown>(null);
  const [rowError, setRowError] = useState<RowError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const b = build();
    if (!('body' in b)) {
      setRowError(b);
      return;
    }
    setRowError(null);
    setBusy(true);
    try {
      done(await save(b.body));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { error, rowError, setRowError, busy, submit };
}

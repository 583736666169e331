// The form that creates a library or changes one: name, type, the root
// folders (typed, or chosen with the folder picker), who sees it, scanning
// and metadata options.
import { useState } from 'preact/hooks';
import { api, ApiError } from '../../lib/api';
import { t, LANGUAGES } from '../../lib/i18n';
import { FieldError, FormError } from '../../components/common';
import { FolderPicker } from './folder-picker';
import { emptyLibraryForm, libraryCreateBody, libraryToForm, libraryUpdateBody, LibraryForm } from './logic';
import type { Library } from './types';
import { checked, val } from './ui';

const FIELDS = ['name', 'type', 'visibility', 'enabled', 'scan_interval_minutes', 'metadata_language', 'extensions', 'exclude_patterns'];

/** The index of `paths[i]` a problem blames, if any. */
function pathIndex(e: unknown): number | null {
  if (!(e instanceof ApiError) || !e.field) return null;
  const m = /^paths\[(\d+)\]$/.exec(e.field);
  return m ? Number(m[1]) : e.field === 'paths' ? 0 : null;
}

export function LibraryFormView({
  library,
  onSaved,
  onCancel,
}: {
  /** absent: a new library */
  library?: Library;
  onSaved: (l: Library) => void;
  onCancel?: () => void;
}) {
  const [f, setF] = useState<LibraryForm>(() => (library ? libraryToForm(library) : emptyLibraryForm()));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [picking, setPicking] = useState<number | null>(null);
  const [saved, setSaved] = useState(false);
  const set = (patch: Partial<LibraryForm>) => {
    setSaved(false);
    setF({ ...f, ...patch });
  };
  const setPath = (i: number, p: string) => set({ paths: f.paths.map((x, j) => (j === i ? p : x)) });
  const id = library ? 'lib-' + library.id.slice(0, 8) : 'lib-new';

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      let l: Library;
      if (library) {
        const body = libraryUpdateBody(library, f);
        l = Object.keys(body).length ? await api.put<Library>(`/libraries/${library.id}`, body) : library;
        setSaved(true);
      } else {
        l = await api.post<Library>('/libraries', libraryCreateBody(f));
      }
      onSaved(l);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const bad = pathIndex(error);
  return (
    <form class="admin-form" onSubmit={submit} aria-labelledby={id + '-title'}>
      <h2 id={id + '-title'}>{library ? t('admin.lib.edit') : t('admin.lib.new')}</h2>
      <div class="form-grid">
        <label>
          {t('admin.lib.name')}
          <input required maxLength={100} value={f.name} onInput={(e) => set({ name: val(e) })} />
          <FieldError error={error} field="name" />
        </label>
        <label>
          {t('admin.lib.type')}
          <select value={f.type} disabled={!!library} onChange={(e) => set({ type: val(e) as LibraryForm['type'] })}>
            <option value="movie">{t('admin.lib.type.movie')}</option>
            <option value="tvshow">{t('admin.lib.type.tvshow')}</option>
          </select>
        </label>
      </div>
      <fieldset>
        <legend>{t('admin.lib.paths')}</legend>
        {f.paths.map((p, i) => (
          <div class="path-row" key={i}>
            <label class="grow">
              <span class="sr-only">{t('admin.lib.path_n', { n: i + 1 })}</span>
              <input
                value={p}
                placeholder="/srv/media/Movies"
                aria-invalid={bad === i}
                onInput={(e) => setPath(i, val(e))}
              />
            </label>
            <button type="button" class="secondary" onClick={() => setPicking(i)}>
              {t('admin.lib.browse')}
            </button>
            {f.paths.length > 1 && (
              <button
                type="button"
                class="secondary"
                aria-label={t('admin.lib.remove_path_n', { n: i + 1 })}
                onClick={() => set({ paths: f.paths.filter((_, j) => j !== i) })}
              >
                ✕
              </button>
            )}
            {bad === i && (
              <p class="field-error" role="alert">
                {(error as Error).message}
              </p>
            )}
          </div>
        ))}
        {f.paths.length < 16 && (
          <button type="button" class="link" onClick={() => set({ paths: [...f.paths, ''] })}>
            + {t('admin.lib.add_path')}
          </button>
        )}
      </fieldset>
      <div class="form-grid">
        <label>
          {t('admin.lib.visibility')}
          <select value={f.visibility} onChange={(e) => set({ visibility: val(e) as LibraryForm['visibility'] })}>
            <option value="all">{t('admin.lib.visibility.all')}</option>
            <option value="granted">{t('admin.lib.visibility.granted')}</option>
          </select>
        </label>
        <label>
          {t('admin.lib.interval')}
          <input
            type="number"
            min={0}
            max={10080}
            value={f.scan_interval_minutes}
            onInput={(e) => set({ scan_interval_minutes: val(e) })}
          />
          <FieldError error={error} field="scan_interval_minutes" />
        </label>
        <label>
          {t('admin.lib.language')}
          <input
            list="admin-langs"
            pattern="[a-z]{2}"
            maxLength={2}
            value={f.metadata_language}
            onInput={(e) => set({ metadata_language: val(e) })}
          />
          <datalist id="admin-langs">
            {LANGUAGES.map((l) => (
              <option key={l} value={l} />
            ))}
          </datalist>
          <FieldError error={error} field="metadata_language" />
        </label>
        <label class="inline">
          <input type="checkbox" checked={f.enabled} onChange={(e) => set({ enabled: checked(e) })} />
          {t('admin.lib.enabled')}
        </label>
      </div>
      <details>
        <summary>{t('admin.lib.advanced')}</summary>
        <label>
          {t('admin.lib.extensions')}
          <input value={f.extensions} placeholder="mkv, mp4, avi" onInput={(e) => set({ extensions: val(e) })} />
          <span class="hint">{t('admin.lib.extensions_hint')}</span>
        </label>
        <label>
          {t('admin.lib.exclude')}
          <textarea rows={3} value={f.exclude_patterns} onInput={(e) => set({ exclude_patterns: val(e) })} />
          <span class="hint">{t('admin.lib.exclude_hint')}</span>
        </label>
      </details>
      <FormError error={bad === null ? error : null} fields={FIELDS} />
      {saved && <p role="status">{t('common.saved')}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>
          {library ? t('common.save') : t('admin.lib.create')}
        </button>
        {onCancel && (
          <button type="button" class="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        )}
      </div>
      {picking !== null && (
        <FolderPicker
          start={f.paths[picking]?.trim() || null}
          onPick={(p) => {
            setPath(picking, p);
            setPicking(null);
          }}
          onClose={() => setPicking(null)}
        />
      )}
    </form>
  );
}

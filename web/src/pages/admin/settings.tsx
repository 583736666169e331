// Server settings: each declared setting with its description, edited by
// its type (switch, number, text; a secret is write-only) and saved alone.
import { useState } from 'preact/hooks';
import { api } from '../../lib/api';
import { formatDateTime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can } from '../../lib/session';
import { ErrorBox, FormError, Spinner } from '../../components/common';
import { parseSettingValue } from './logic';
import type { ServerSetting } from './types';
import { Badge, checked, val } from './ui';

function SettingRow({ setting }: { setting: ServerSetting }) {
  const [s, setS] = useState(setting);
  const initial = s.secret ? '' : s.type === 'boolean' ? Boolean(s.value) : String(s.value ?? '');
  const [raw, setRaw] = useState<string | boolean>(initial);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const editable = can('settings:write');
  const id = 'set-' + s.key.replace(/[^a-z0-9]/gi, '-');
  const dirty = s.secret ? raw !== '' : raw !== initial;

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    const v = parseSettingValue(s.type, raw);
    if ('error' in v) {
      setError(new Error(t('admin.settings.bad_integer')));
      return;
    }
    try {
      const next = await api.put<ServerSetting>(`/settings/server/${encodeURIComponent(s.key)}`, { value: v.value });
      setS(next);
      setRaw(next.secret ? '' : next.type === 'boolean' ? Boolean(next.value) : String(next.value ?? ''));
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };

  let input;
  if (s.type === 'boolean') {
    input = (
      <label class="inline">
        <input
          id={id}
          type="checkbox"
          aria-labelledby={id + '-key'}
          disabled={!editable}
          checked={raw === true}
          onChange={(e) => {
            setSaved(false);
            setRaw(checked(e));
          }}
        />
        {raw === true ? t('admin.settings.on') : t('admin.settings.off')}
      </label>
    );
  } else {
    input = (
      <input
        id={id}
        type={s.secret ? 'password' : s.type === 'integer' ? 'number' : 'text'}
        inputMode={s.type === 'integer' ? 'numeric' : undefined}
        autoComplete={s.secret ? 'new-password' : 'off'}
        placeholder={s.secret ? t('admin.settings.secret_placeholder') : undefined}
        disabled={!editable}
        value={String(raw)}
        onInput={(e) => {
          setSaved(false);
          setRaw(val(e));
        }}
      />
    );
  }
  return (
    <form class="setting" onSubmit={save} aria-labelledby={id + '-key'}>
      <div class="setting-head">
        <label for={s.type === 'boolean' ? undefined : id} id={id + '-key'}>
          <code>{s.key}</code>
        </label>
        {s.public && <Badge value="public" label={t('admin.settings.public')} />}
        {s.secret && <Badge value="secret" label={t('admin.settings.secret')} />}
      </div>
      <p class="muted">{s.description}</p>
      <div class="setting-edit">
        {input}
        {editable && (
          <button type="submit" disabled={!dirty} aria-label={t('admin.settings.save_named', { key: s.key })}>
            {t('common.save')}
          </button>
        )}
        {saved && <span role="status">{t('common.saved')}</span>}
      </div>
      <p class="small muted">
        {s.updated_at ? t('admin.settings.updated', { at: formatDateTime(s.updated_at) }) : t('admin.settings.default')}
      </p>
      <FormError error={error} fields={[]} />
    </form>
  );
}

export function SettingsPage() {
  const list = useLoad((signal) => api.get<{ items: ServerSetting[] }>('/settings/server', { signal }), []);
  return (
    <main class="page admin">
      <h1>{t('admin.settings')}</h1>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {!list.data && list.loading && <Spinner />}
      <div class="settings-list">
        {list.data?.items.map((s) => <SettingRow key={s.key} setting={s} />)}
      </div>
    </main>
  );
}

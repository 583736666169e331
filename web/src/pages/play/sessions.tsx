// The viewer's live sessions: where they are logged in, ending any other
// one, or all of them.
import { useState } from 'preact/hooks';
import { api, Page } from '../../lib/api';
import { formatDateTime, t } from '../../lib/i18n';
import { useLoad } from '../../lib/hooks';
import { can, dropSession } from '../../lib/session';
import { ErrorBox, Spinner } from '../../components/common';
import { describeAgent } from './account';
import { AccountTabs } from './tabs';
import './play.css';

interface Session {
  id: string;
  device_name: string | null;
  ip: string | null;
  user_agent: string | null;
  created_at: string;
  last_active_at: string;
  expires_at: string;
  current: boolean;
}

/** Every page of the list (an account has few sessions; 20 pages is a guard). */
async function allSessions(signal: AbortSignal): Promise<Session[]> {
  const out: Session[] = [];
  let cursor: string | null | undefined = null;
  for (let i = 0; i < 20; i++) {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page: Page<Session> = await api.get<Page<Session>>(`/sessions?limit=100${q}`, { signal });
    out.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) break;
  }
  return out;
}

function agentText(s: Session): string {
  const { browser, os } = describeAgent(s.user_agent);
  if (browser && os) return t('sessions.browser_on', { browser, os });
  return browser ?? os ?? t('sessions.unknown_browser');
}

export function SessionsPage() {
  const list = useLoad(allSessions, []);
  const [gone, setGone] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [status, setStatus] = useState('');
  const editable = can('profile:update');
  // this session first, then the others newest first (the server's order)
  const sessions = (list.data ?? []).filter((s) => !gone.has(s.id)).sort((a, b) => Number(b.current) - Number(a.current));
  const others = sessions.filter((s) => !s.current);

  async function revoke(ids: string[]) {
    setBusy(true);
    setError(null);
    const ended = new Set(gone);
    try {
      for (const id of ids) {
        try {
          await api.del(`/sessions/${encodeURIComponent(id)}`);
        } catch (e) {
          // 404: it had ended already
          if (!(e instanceof Error && 'status' in e && (e as { status: number }).status === 404)) throw e;
        }
        ended.add(id);
      }
      setStatus(t('sessions.ended', { n: ids.length }));
    } catch (e) {
      setError(e as Error);
    } finally {
      setGone(ended);
      setBusy(false);
    }
  }

  async function endAll() {
    setBusy(true);
    setError(null);
    try {
      await api.del('/sessions');
      dropSession();
    } catch (e) {
      setError(e as Error);
      setBusy(false);
    }
  }

  return (
    <main class="page account-page">
      <AccountTabs current="sessions" />
      <h1>{t('sessions.title')}</h1>
      <p class="muted">{t('sessions.intro')}</p>
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.loading && !list.data && <Spinner />}
      {list.data && (
        <ul class="session-list">
          {sessions.map((s) => (
            <li key={s.id} class={s.current ? 'session current' : 'session'} data-current={s.current ? 'yes' : undefined}>
              <div class="session-main">
                <strong>{s.device_name || t('sessions.unnamed')}</strong>
                {s.current && <span class="badge">{t('sessions.this_one')}</span>}
                <span class="muted">{agentText(s)}</span>
              </div>
              <dl class="session-facts">
                {s.ip && (
                  <>
                    <dt>{t('sessions.ip')}</dt>
                    <dd>{s.ip}</dd>
                  </>
                )}
                <dt>{t('sessions.created')}</dt>
                <dd>{formatDateTime(s.created_at)}</dd>
                <dt>{t('sessions.last_active')}</dt>
                <dd>{formatDateTime(s.last_active_at)}</dd>
                <dt>{t('sessions.expires')}</dt>
                <dd>{formatDateTime(s.expires_at)}</dd>
              </dl>
              {editable && !s.current && (
                <button type="button" class="secondary" disabled={busy} onClick={() => revoke([s.id])}>
                  {t('sessions.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && list.data && (
        <div class="actions">
          {others.length > 0 && (
            <button type="button" disabled={busy} onClick={() => revoke(others.map((s) => s.id))}>
              {t('sessions.revoke_others')}
            </button>
          )}
          <button type="button" class="secondary" disabled={busy} onClick={endAll}>
            {t('sessions.revoke_all')}
          </button>
        </div>
      )}
      {error && <ErrorBox error={error} />}
      <p class="status" role="status" aria-live="polite">
        {status}
      </p>
    </main>
  );
}

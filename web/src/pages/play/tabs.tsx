// The links between the account's own pages (preferences, security, sessions).
import { t } from '../../lib/i18n';

export function AccountTabs({ current }: { current: 'preferences' | 'security' | 'sessions' }) {
  return (
    <nav class="account-tabs" aria-label={t('prefs.account_pages')}>
      <a href="#/preferences" aria-current={current === 'preferences' ? 'page' : undefined}>
        {t('prefs.title')}
      </a>
      <a href="#/security" aria-current={current === 'security' ? 'page' : undefined}>
        {t('security.title')}
      </a>
      <a href="#/sessions" aria-current={current === 'sessions' ? 'page' : undefined}>
        {t('sessions.title')}
      </a>
    </nav>
  );
}

// The shell: the login page for anonymous visitors, otherwise the header
// with navigation and the page the hash route names.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { t } from './lib/i18n';
import { matchPath, href } from './lib/router';
import { useHash, useLang, useSession } from './lib/hooks';
import { can, dropSession, isAdmin, logout } from './lib/session';
import { onUnauthorized } from './lib/api';
import type { PageRoute } from './lib/routes';
import { viewerRoutes } from './pages/viewer/routes';
import { adminRoutes } from './pages/admin/routes';
import { playRoutes } from './pages/play/routes';
import { Login } from './pages/login';
import { ResetPasswordPage, VerifyEmailPage } from './pages/auth/links';
import { Spinner } from './components/common';

const routes: PageRoute[] = [...viewerRoutes, ...playRoutes, ...adminRoutes];

/** Pages the account mails link to: shown signed in or not, without the shell. */
const publicRoutes: PageRoute[] = [
  { pattern: '/reset-password', view: ResetPasswordPage },
  { pattern: '/verify-email', view: VerifyEmailPage },
];

function NotFound() {
  return (
    <main class="page">
      <h1>{t('common.not_found')}</h1>
      <p>
        <a href="#/">{t('nav.home')}</a>
      </p>
    </main>
  );
}

function Forbidden() {
  return (
    <main class="page">
      <h1>{t('common.forbidden')}</h1>
    </main>
  );
}

function Header({ path }: { path: string }) {
  const s = useSession();
  const [open, setOpen] = useState(false);
  const nav = routes
    .filter((r) => r.nav && (!r.permission || can(r.permission)))
    .sort((a, b) => a.nav!.order - b.nav!.order);
  const main = nav.filter((r) => r.nav!.group === 'main');
  const admin = nav.filter((r) => r.nav!.group === 'admin');
  const active = (p: string) => (p === '/' ? path === '/' : path === p || path.startsWith(p + '/'));
  useEffect(() => setOpen(false), [path]);
  return (
    <header class="top">
      <a class="brand" href="#/">
        Revenge
      </a>
      <button
        type="button"
        class="menu-toggle"
        aria-expanded={open}
        aria-controls="nav"
        onClick={() => setOpen(!open)}
      >
        {t('nav.menu')}
      </button>
      <nav id="nav" class={open ? 'open' : ''} aria-label={t('nav.menu')}>
        {main.map((r) => (
          <a key={r.pattern} href={href(r.pattern)} aria-current={active(r.pattern) ? 'page' : undefined}>
            {t(r.nav!.label)}
          </a>
        ))}
        {isAdmin() && admin.length > 0 && (
          <details class="admin-menu">
            <summary>{t('nav.admin')}</summary>
            <div>
              {admin.map((r) => (
                <a key={r.pattern} href={href(r.pattern)} aria-current={active(r.pattern) ? 'page' : undefined}>
                  {t(r.nav!.label)}
                </a>
              ))}
            </div>
          </details>
        )}
        <span class="who">
          {s.me?.avatar_url && <img class="avatar" src={s.me.avatar_url} alt="" width={24} height={24} />}
          {s.me?.display_name || s.me?.username}
        </span>
        <button type="button" class="link" onClick={() => logout()}>
          {t('nav.logout')}
        </button>
      </nav>
    </header>
  );
}

export function App() {
  useLang();
  const s = useSession();
  const { path, query } = useHash();
  useEffect(() => onUnauthorized(dropSession), []);
  // the moment the first real page (login or the shell) is on screen and
  // usable: the browser test and `make bench-web` read it as "interactive"
  useEffect(() => {
    if (s.ready && typeof performance !== 'undefined' && !performance.getEntriesByName('revenge:interactive').length)
      requestAnimationFrame(() => performance.mark('revenge:interactive'));
  }, [s.ready]);
  const found = useMemo(() => {
    for (const r of routes) {
      const params = matchPath(r.pattern, path);
      if (params) return { r, params };
    }
    return null;
  }, [path]);

  const open = publicRoutes.find((r) => matchPath(r.pattern, path));
  if (open) {
    const View = open.view;
    return <View params={{}} query={query} />;
  }
  if (!s.ready) return <Spinner />;
  if (!s.me) return <Login />;
  let body;
  if (!found) body = <NotFound />;
  else if (found.r.permission && !can(found.r.permission)) body = <Forbidden />;
  else {
    const View = found.r.view;
    body = <View params={found.params} query={query} />;
  }
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('nav.skip')}
      </a>
      <Header path={path} />
      <div id="main" tabIndex={-1}>
        {body}
      </div>
    </>
  );
}

// The administrators' pages (libraries, unmatched files, users, roles, jobs,
// activity, server settings, single sign-on providers, Radarr/Sonarr,
// notification channels). Each names the permission its main API call
// needs (x-permission in docs/openapi.yaml); the shell shows "not allowed"
// without it. The pages themselves are one lazily loaded chunk (views.ts).
import { h, type ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { PageProps, PageRoute } from '../../lib/routes';
import { ErrorBox, Spinner } from '../../components/common';

type Views = typeof import('./views');
let views: Views | null = null;
let loading: Promise<Views> | null = null;

function loadViews(): Promise<Views> {
  if (!loading) {
    loading = import('./views').then((m) => (views = m));
    loading.catch(() => (loading = null));
  }
  return loading;
}

/** A page of the admin chunk: a spinner until the chunk is there. */
function lazy(name: keyof Views): ComponentType<PageProps> {
  return function AdminView(props: PageProps) {
    const [, setReady] = useState(views !== null);
    const [error, setError] = useState<Error | null>(null);
    useEffect(() => {
      if (!views) loadViews().then(() => setReady(true), (e: Error) => setError(e));
    }, []);
    if (views) return h(views[name] as ComponentType<PageProps>, props);
    if (error) return h('main', { class: 'page' }, h(ErrorBox, { error, retry: () => location.reload() }));
    return h(Spinner, {});
  };
}

export const adminRoutes: PageRoute[] = [
  {
    pattern: '/admin/libraries',
    view: lazy('LibrariesPage'),
    permission: 'libraries:create',
    nav: { label: 'admin.libraries', group: 'admin', order: 10 },
  },
  { pattern: '/admin/libraries/:id', view: lazy('LibraryPage'), permission: 'libraries:update' },
  { pattern: '/admin/libraries/:id/unmatched', view: lazy('UnmatchedPage'), permission: 'libraries:update' },
  {
    pattern: '/admin/users',
    view: lazy('UsersPage'),
    permission: 'users:list',
    nav: { label: 'admin.users', group: 'admin', order: 20 },
  },
  { pattern: '/admin/users/:id', view: lazy('UserPage'), permission: 'users:get' },
  {
    pattern: '/admin/roles',
    view: lazy('RolesPage'),
    permission: 'users:get',
    nav: { label: 'admin.roles', group: 'admin', order: 30 },
  },
  {
    pattern: '/admin/jobs',
    view: lazy('JobsPage'),
    permission: 'jobs:list',
    nav: { label: 'admin.jobs', group: 'admin', order: 40 },
  },
  {
    pattern: '/admin/activity',
    view: lazy('ActivityPage'),
    permission: 'audit:read',
    nav: { label: 'admin.activity', group: 'admin', order: 50 },
  },
  {
    pattern: '/admin/settings',
    view: lazy('SettingsPage'),
    permission: 'settings:read',
    nav: { label: 'admin.settings', group: 'admin', order: 60 },
  },
  {
    pattern: '/admin/sso',
    view: lazy('SsoPage'),
    permission: 'settings:read',
    nav: { label: 'admin.sso', group: 'admin', order: 70 },
  },
  {
    pattern: '/admin/integrations',
    view: lazy('IntegrationsPage'),
    permission: 'integrations:list',
    nav: { label: 'admin.arr', group: 'admin', order: 80 },
  },
  {
    pattern: '/admin/notifications',
    view: lazy('NotificationsPage'),
    permission: 'notifications:list',
    nav: { label: 'admin.notify', group: 'admin', order: 90 },
  },
];

// The shape of a client page. Each area (src/pages/viewer, src/pages/admin)
// exports its own list, so areas are added without editing the shell.
import type { ComponentType } from 'preact';

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface PageRoute {
  /** '/movies/:id' */
  pattern: string;
  view: ComponentType<PageProps>;
  /** the permission the page needs; the shell shows 'not allowed' without it */
  permission?: string;
  /** listed in the navigation under this message key */
  nav?: { label: string; group: 'main' | 'admin'; order: number };
}

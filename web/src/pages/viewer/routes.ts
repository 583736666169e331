// The viewer's pages (home, browsing, detail pages, player, search, preferences).
import type { PageRoute } from '../../lib/routes';
import { Home } from './home';

export const viewerRoutes: PageRoute[] = [
  { pattern: '/', view: Home, nav: { label: 'nav.home', group: 'main', order: 0 } },
];

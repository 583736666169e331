// The player, the viewer's preferences, security and sessions.
import type { PageRoute } from '../../lib/routes';
import { EpisodePlayer, MoviePlayer } from './player';
import { PreferencesPage } from './preferences';
import { SecurityPage } from './security';
import { SessionsPage } from './sessions';

export const playRoutes: PageRoute[] = [
  { pattern: '/play/movie/:id/:file', view: MoviePlayer, permission: 'playback:stream' },
  { pattern: '/play/episode/:id/:file', view: EpisodePlayer, permission: 'playback:stream' },
  {
    pattern: '/preferences',
    view: PreferencesPage,
    permission: 'profile:read',
    nav: { label: 'prefs.title', group: 'main', order: 90 },
  },
  { pattern: '/security', view: SecurityPage, permission: 'profile:read' },
  { pattern: '/sessions', view: SessionsPage, permission: 'profile:read' },
];

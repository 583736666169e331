// The player, the viewer's preferences and their sessions.
import type { PageRoute } from '../../lib/routes';

export const playRoutes: PageRoute[] = [];

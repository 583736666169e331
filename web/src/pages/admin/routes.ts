// The administrators' pages (libraries, unmatched files, users, roles, jobs,
// activity, server settings).
import type { PageRoute } from '../../lib/routes';

export const adminRoutes: PageRoute[] = [];

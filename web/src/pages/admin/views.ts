// Every admin page, loaded as one chunk the first time an admin page opens
// (routes.ts), so people who never administer do not download them; the
// messages of the single sign-on, Radarr/Sonarr and notification pages too.
import '../../messages/admin-connect';
export { LibrariesPage, LibraryPage } from './libraries';
export { UnmatchedPage } from './unmatched';
export { UsersPage } from './users';
export { UserPage } from './user';
export { RolesPage } from './roles';
export { JobsPage } from './jobs';
export { ActivityPage } from './activity';
export { SettingsPage } from './settings';
export { SsoPage } from './sso';
export { IntegrationsPage } from './arr';
export { NotificationsPage } from './notifications';

// The viewer's pages: home, browsing, search and the detail pages. Detail
// pages are keyed by id, so moving from one movie to another starts the
// page afresh instead of showing the last one's parts while loading.
import { h } from 'preact';
import type { ComponentType } from 'preact';
import type { PageProps, PageRoute } from '../../lib/routes';
import { Home } from './home';
import { MoviesPage, TvShowsPage } from './browse';
import { SearchPage } from './search';
import { MoviePage } from './movie';
import { SeriesPage } from './series';
import { SeasonPage } from './season';
import { EpisodePage } from './episode';

function keyed(View: ComponentType<PageProps>): ComponentType<PageProps> {
  return (p: PageProps) => h(View, { ...p, key: p.params.id });
}

export const viewerRoutes: PageRoute[] = [
  { pattern: '/', view: Home, nav: { label: 'nav.home', group: 'main', order: 0 } },
  { pattern: '/movies', view: MoviesPage, permission: 'movies:list', nav: { label: 'nav.movies', group: 'main', order: 10 } },
  { pattern: '/tvshows', view: TvShowsPage, permission: 'tvshows:list', nav: { label: 'nav.tvshows', group: 'main', order: 20 } },
  { pattern: '/search', view: SearchPage, permission: 'movies:list', nav: { label: 'nav.search', group: 'main', order: 30 } },
  { pattern: '/movies/:id', view: keyed(MoviePage), permission: 'movies:get' },
  { pattern: '/tvshows/:id', view: keyed(SeriesPage), permission: 'tvshows:get' },
  { pattern: '/tvshows/seasons/:id', view: keyed(SeasonPage), permission: 'tvshows:get' },
  { pattern: '/tvshows/episodes/:id', view: keyed(EpisodePage), permission: 'tvshows:get' },
];

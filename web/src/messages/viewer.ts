// Messages of the viewer's pages.
import { register } from '../lib/i18n';

register({
  en: { 'home.recent_movies': 'Recently added movies' },
  de: { 'home.recent_movies': 'Neu hinzugefügte Filme' },
  fr: { 'home.recent_movies': 'Films ajoutés récemment' },
  es: { 'home.recent_movies': 'Películas añadidas recientemente' },
  ja: { 'home.recent_movies': '最近追加された映画' },
});

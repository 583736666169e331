import { t } from '../../lib/i18n';
import { api, Page } from '../../lib/api';
import { useLoad } from '../../lib/hooks';
import { Card, Row, Spinner } from '../../components/common';

interface MovieItem {
  id: string;
  title: string;
  year?: number | null;
  poster_url?: string | null;
}

export function Home() {
  const recent = useLoad((signal) => api.get<Page<MovieItem>>('/movies/recently-added?limit=20', { signal }), []);
  return (
    <main class="page">
      {recent.loading && <Spinner />}
      <Row title={t('home.recent_movies')} empty={!recent.data?.items.length}>
        {recent.data?.items.map((m) => (
          <Card key={m.id} href={`#/movies/${m.id}`} title={m.title} subtitle={m.year ? String(m.year) : undefined} image={m.poster_url} />
        ))}
      </Row>
    </main>
  );
}

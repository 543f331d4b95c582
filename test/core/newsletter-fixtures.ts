// Two fresh articles from one feed source, fetched an hour before `now`: enough for a newsletter
// without filters to have a next digest to preview (and one filtered on "silk" to have none).
import type { Kysely } from 'kysely';
import { insertArticles } from '../../src/store/articles.js';
import type { Database } from '../../src/store/schema.js';
import { addSource } from '../../src/store/sources.js';

export const STORY_TITLES = ['Mills stock up on cotton', 'Polyester plants cut runs'];

export async function seedArticles(db: Kysely<Database>, now: Date): Promise<void> {
  const source = await addSource(db, { kind: 'feed', url: 'http://127.0.0.1/feed', name: 'Wire' }, now);
  const fetched = new Date(now.getTime() - 3_600_000).toISOString();
  await insertArticles(
    db,
    STORY_TITLES.map((title, i) => ({
      source_id: source.id,
      guid: `g${i}`,
      guid_key: `${source.id}:g${i}`,
      url: `http://127.0.0.1/a/${i}`,
      canonical_url: `http://127.0.0.1/a/${i}`,
      title,
      published_at: fetched,
      fetched_at: fetched,
      lang: 'en',
      text: `${title}, the report says.`,
      fingerprint: `fp${i}`,
      search_text: title.toLowerCase(),
    })),
  );
}

// One operation, four front-ends, one effect: adding a source and importing an OPML file leave
// the same rows and the same audit action whether the CLI, the API, the admin web UI or the bot
// did it (issue #11, acceptance 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startServer } from '../support/http-fixture.js';
import { FRONT_ENDS, type FrontEndName, type FrontEnds, frontEnds } from '../support/front-ends.js';

const RSS = (title: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><link>http://example.org/</link><description>x</description>` +
  '<item><title>Cotton up</title><link>http://example.org/1</link><guid>1</guid><description>Cotton prices rose.</description></item></channel></rss>';

let feeds: FixtureServer;
beforeAll(async () => {
  const rss = { headers: { 'content-type': 'application/rss+xml' } };
  feeds = await startServer({ '/cotton.xml': { ...rss, body: RSS('Cotton Wire') }, '/yarn.xml': { ...rss, body: RSS('Yarn Daily') } });
});
afterAll(() => feeds.close());

/** What a source looks like to a reader of the store, ids and times left out. */
async function sourcesIn(fe: FrontEnds) {
  const rows = await fe.store.db.selectFrom('sources').select(['kind', 'url', 'name', 'enabled', 'interval_minutes', 'options']).orderBy('url').execute();
  return rows.map((r) => ({ ...r, enabled: Boolean(r.enabled) }));
}

async function run(name: FrontEndName, op: (fe: FrontEnds, name: FrontEndName) => Promise<void>) {
  const fe = await frontEnds();
  try {
    await op(fe, name);
    return { sources: await sourcesIn(fe), audit: (await fe.auditActions()).map((a) => ({ action: a.action, ok: a.ok })) };
  } finally {
    await fe.close();
  }
}

const OPML = (base: string) => `<?xml version="1.0"?>
<opml version="2.0"><head><title>Mills</title></head><body>
  <outline text="Textiles">
    <outline type="rss" text="Cotton Wire" xmlUrl="${base}/cotton.xml"/>
    <outline type="rss" text="Yarn Daily" xmlUrl="${base}/yarn.xml"/>
    <outline type="rss" text="Cotton again" xmlUrl="${base}/cotton.xml"/>
  </outline>
  <outline type="rss" text="Old FTP mirror" xmlUrl="ftp://mirror.example.org/cotton.xml"/>
  <outline type="rss" text="A podcast" xmlUrl="https://pod.example.org/feed" tidingsKind="podcast"/>
</body></opml>`;

describe('the same operation through every front-end', () => {
  it('add source: the same row and one source.add', async () => {
    const url = `${feeds.url}/cotton.xml`;
    const add: Record<FrontEndName, (fe: FrontEnds) => Promise<unknown>> = {
      cli: async (fe) => expect((await fe.cli(['sources', 'add', url])).code).toBe(0),
      api: async (fe) => expect((await fe.api('POST', '/api/v1/sources', { url, test: true })).statusCode).toBe(201),
      web: async (fe) => expect((await fe.web('POST', '/admin/sources', { url, kind: 'auto' })).body).toContain('Added source 1 &quot;Cotton Wire&quot;'),
      bot: async (fe) => expect(await fe.bot(`/sources add ${url}`)).toMatch(/^Added source/),
    };
    const results = await Promise.all(FRONT_ENDS.map((name) => run(name, (fe) => add[name](fe).then(() => undefined))));
    for (const r of results) {
      expect(r.sources).toEqual([{ kind: 'feed', url, name: 'Cotton Wire', enabled: true, interval_minutes: 60, options: '{}' }]);
      expect(r.audit).toEqual([{ action: 'source.add', ok: true }]);
    }
  });

  it('import OPML: the same file gives the same sources, the same refusals and one sources.import', async () => {
    const xml = OPML(feeds.url);
    const imports: Record<FrontEndName, (fe: FrontEnds) => Promise<string>> = {
      cli: async (fe) => (await fe.cli(['sources', 'import', fe.file('mills.opml', xml)])).stdout,
      api: async (fe) => (await fe.api('POST', '/api/v1/sources/opml', xml, { 'content-type': 'text/x-opml' })).body,
      web: async (fe) => (await fe.web('POST', '/admin/sources/opml', {}, { field: 'opml', name: 'mills.opml', content: xml })).body,
      bot: (fe) => fe.bot('/sources import', { document: { name: 'mills.opml', content: xml } }),
    };
    const results = await Promise.all(
      FRONT_ENDS.map((name) =>
        run(name, async (fe) => {
          const out = await imports[name](fe);
          // Every front-end tells the admin the same counts: 2 added, 1 repeated, 2 refused.
          if (name === 'api')
            expect(JSON.parse(out)).toMatchObject({ added: 2, alreadyPresent: 1, rejected: [{ line: 'A podcast' }, { line: 'Old FTP mirror' }] });
          else expect(out, name).toContain('Added 2 sources, 1 already present, 2 rejected.');
        }),
      ),
    );
    for (const r of results) {
      expect(r.sources.map((s) => [s.url, s.name, s.kind])).toEqual([
        [`${feeds.url}/cotton.xml`, 'Cotton Wire', 'feed'],
        [`${feeds.url}/yarn.xml`, 'Yarn Daily', 'feed'],
      ]);
      expect(r.audit).toEqual([{ action: 'sources.import', ok: true }]);
    }
  });
});

// OPML import and export in-process: one set of rules for every front-end (what may be a source,
// who may name a local path), repeated and stored URLs as "already present", a dry run that
// writes nothing, and one audit row per import.
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor, CoreContext } from '../../src/core/context.js';
import { exportOpml, importOpml, importSummary, MAX_OPML_OUTLINES } from '../../src/core/sources-opml.js';
import { silentLogger } from '../../src/log.js';
import { listAudit } from '../../src/store/bot.js';
import { addSource, listSources, sourceOptions } from '../../src/store/sources.js';
import { failure } from '../support/core-failure.js';
import { dialects, type TestStore } from '../support/databases.js';

const sqlite = dialects.find((d) => d.name === 'sqlite')!;
const clock = new Date('2026-11-24T06:00:00.000Z');
let store: TestStore;
const ctx = (actor: Actor = 'web:admin'): CoreContext & { sourceIntervalMinutes: number } => ({
  db: store.db,
  now: () => clock,
  log: silentLogger(),
  actor,
  sourceIntervalMinutes: 45,
});
const audits = async () => (await listAudit(store.db, { limit: 100 })).reverse().map((r) => ({ action: r.action, ok: r.ok, detail: r.detail }));

const DOC = `<?xml version="1.0"?><opml version="2.0"><body>
  <outline text="Tech">
    <outline text="C" xmlUrl="https://c.example.org/feed"/>
    <outline text="A" xmlUrl="https://a.example.org/rss"/>
    <outline text="C again" xmlUrl="https://c.example.org/feed"/>
  </outline>
  <outline text="Dump" htmlUrl="examples/textdump" tidingsKind="textdump"/>
  <outline text="Mirror" xmlUrl="ftp://mirror.example.org/feed"/>
  <outline text="Listing" htmlUrl="https://news.example.org/" tidingsKind="page" tidingsOptions='{"followDepth":99}'/>
</body></opml>`;

beforeEach(async () => {
  store = await sqlite.open();
  await addSource(store.db, { kind: 'feed', url: 'https://a.example.org/rss', name: 'A' }, clock);
});
afterEach(() => store.close());

describe('importOpml', () => {
  it('adds what is new, counts what is present, and rejects with the same reasons addSource gives', async () => {
    const r = await importOpml(ctx(), { xml: DOC });
    expect([r.added, r.alreadyPresent, r.rejected]).toEqual([1, 2, 3]);
    expect(importSummary(r)).toBe('Added 1 source, 2 already present, 3 rejected.');
    expect(r.outcomes.map((o) => [o.name, o.outcome])).toEqual([
      ['C', 'added'],
      ['A', 'present'],
      ['C again', 'present'],
      ['Dump', 'rejected'],
      ['Mirror', 'rejected'],
      ['Listing', 'rejected'],
    ]);
    expect(r.outcomes.find((o) => o.name === 'Dump')!.reason).toContain('is a path on the server');
    expect(r.outcomes.find((o) => o.name === 'Listing')!.reason).toMatch(/^Source option followDepth: /);
    const c = (await listSources(store.db)).find((s) => s.url === 'https://c.example.org/feed')!;
    expect([c.name, c.interval_minutes, sourceOptions(c)]).toEqual(['C', 45, { category: 'Tech' }]);
    expect(await audits()).toEqual([{ action: 'sources.import', ok: 1, detail: '1 added (https://c.example.org/feed), 2 already present, 3 rejected' }]);
  });

  it('from the CLI a local folder is a source too', async () => {
    const r = await importOpml(ctx('cli'), { xml: DOC });
    expect(r.outcomes.find((o) => o.name === 'Dump')).toMatchObject({ outcome: 'added', url: path.resolve('examples/textdump'), kind: 'textdump' });
  });

  it('a dry run reports the same outcomes and writes nothing, not even an audit row', async () => {
    const dry = await importOpml(ctx(), { xml: DOC, dryRun: true });
    expect([dry.dryRun, dry.added, dry.alreadyPresent, dry.rejected]).toEqual([true, 1, 2, 3]);
    expect(importSummary(dry)).toBe('Would add 1 source, 2 already present, 3 rejected.');
    expect(await listSources(store.db)).toHaveLength(1);
    expect(await audits()).toEqual([]);
  });

  it('an import that adds nothing and rejects something is audited as refused', async () => {
    const r = await importOpml(ctx(), { xml: '<opml><body><outline text="M" xmlUrl="ftp://m.example.org/"/></body></opml>' });
    expect(r.rejected).toBe(1);
    expect(await audits()).toEqual([{ action: 'sources.import', ok: 0, detail: '0 added, 0 already present, 1 rejected' }]);
  });

  it('refuses what is not an OPML document, or an oversized one', async () => {
    expect((await failure(importOpml(ctx(), { xml: '  ' }))).code).toBe('invalid');
    expect((await failure(importOpml(ctx(), { xml: '<html><body>hi</body></html>' }))).message).toContain('not an OPML document');
    const huge = `<opml><body>${'<outline text="x" xmlUrl="https://x.example.org/"/>'.repeat(MAX_OPML_OUTLINES + 1)}</body></opml>`;
    expect((await failure(importOpml(ctx(), { xml: huge }))).message).toContain(`more than ${MAX_OPML_OUTLINES} outlines`);
    expect(await audits()).toEqual([]);
  });
});

describe('exportOpml', () => {
  it('writes every source, which an import reads back as already present', async () => {
    await addSource(store.db, { kind: 'page', url: 'https://b.example.org/news', name: 'B & Co', options: { linkSelector: 'a.story' } }, clock);
    const { xml, count } = await exportOpml(ctx());
    expect(count).toBe(2);
    expect(xml).toContain('tidingsKind="page"');
    const again = await importOpml(ctx(), { xml });
    expect([again.added, again.alreadyPresent, again.rejected]).toEqual([0, 2, 0]);
    expect((await audits()).map((a) => a.action)).toEqual(['sources.export', 'sources.import']);
  });
});

// CSV round trips through the core: what an export writes imports again as it is (quoting,
// Chinese names, formula-like cells neutralized), and a file streams through in batches.
import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import type { CoreContext } from '../../src/core/context.js';
import { exportSubscribersCsv, importSubscribersCsv } from '../../src/core/subscribers-csv.js';
import { listSubscribers } from '../../src/core/subscribers.js';
import { silentLogger } from '../../src/log.js';
import { addNewsletter } from '../../src/store/newsletters.js';
import { parseCsv } from '../../src/subscribers/csv.js';
import { dialects, forEachDialect } from '../support/databases.js';
import { resetStore, sharedStore, text } from './reset-store.js';

const clock = new Date('2026-11-24T06:00:00.000Z');
const bytes = (text: string) => Readable.from([Buffer.from(text)]);
/** The columns that must survive a round trip (the times are when each import ran). */
const stable = (csv: string) => parseCsv(csv.replace(/^\ufeff/, '')).map((r) => r.fields.slice(0, 8));

async function exported(ctx: CoreContext, filter: { newsletter?: string } = {}): Promise<string> {
  return text((await exportSubscribersCsv(ctx, filter)).chunks);
}

forEachDialect('core subscribers CSV', (dialect) => {
  const store = sharedStore(dialect, (db) => addNewsletter(db, { slug: 'cotton', name: 'Cotton', language: 'zh' }, clock));
  const ctx = (): CoreContext => ({ db: store().db, now: () => clock, log: silentLogger(), actor: 'cli' });

  it('round-trips import → export → import, with quoting, Chinese names and formula-like cells', async () => {
    const source = [
      '\ufeffEmail,Name,Language,Keywords',
      'ann@example.org,"Lee, Ann",en,cotton; yarn',
      'li@example.org,李雷,,棉花',
      'quote@example.org,"Say ""hi""\r\nagain",zh,',
      '=cmd@example.org,=HYPERLINK("http://evil.example"),en,-1;+2;@3',
    ].join('\r\n');
    expect(await importSubscribersCsv(ctx(), { newsletter: 'cotton', bytes: bytes(source), consentVersion: 'v3' })).toMatchObject({
      imported: 4,
      rejected: [],
    });
    const first = await exported(ctx());
    expect(first).toContain(`'=cmd@example.org,"'=HYPERLINK(""http://evil.example"")",en,'-1; +2; @3,cotton,active,import,v3,`);
    expect(first).toContain('"Say ""hi"" again",zh');
    expect(stable(first).slice(1)).toEqual([
      ['ann@example.org', 'Lee, Ann', 'en', 'cotton; yarn', 'cotton', 'active', 'import', 'v3'],
      ['li@example.org', '李雷', 'zh', '棉花', 'cotton', 'active', 'import', 'v3'],
      ['quote@example.org', 'Say "hi" again', 'zh', '', 'cotton', 'active', 'import', 'v3'],
      ["'=cmd@example.org", `'=HYPERLINK("http://evil.example")`, 'en', "'-1; +2; @3", 'cotton', 'active', 'import', 'v3'],
    ]);
    // Imported again where it came from, everyone is already subscribed; elsewhere it exports the same.
    expect(await importSubscribersCsv(ctx(), { newsletter: 'cotton', bytes: bytes(first) })).toMatchObject({ imported: 0, alreadySubscribed: 4 });
    await resetStore(store().db);
    await addNewsletter(store().db, { slug: 'cotton', name: 'Cotton', language: 'zh' }, clock);
    await importSubscribersCsv(ctx(), { newsletter: 'cotton', bytes: bytes(first), consentVersion: 'v3' });
    expect(stable(await exported(ctx()))).toEqual(stable(first));
  });
});

if (dialects[0]?.name === 'sqlite') {
  it('imports across batch boundaries (500 rows a batch) and exports every row', async () => {
    const store = await dialects[0]!.open();
    try {
      const ctx: CoreContext = { db: store.db, now: () => clock, log: silentLogger(), actor: 'cli' };
      await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton' }, clock);
      const rows = ['email,name,language,keywords'];
      for (let i = 0; i < 1001; i++) rows.push(`member${i}@example.org,Member ${i},${i % 2 ? 'en' : 'zh'},cotton;yarn`);
      rows.push('member7@example.org,Again,,');
      let batches = 0;
      const r = await importSubscribersCsv(ctx, { newsletter: 'cotton', bytes: bytes(rows.join('\n')), onBatch: () => batches++ });
      expect([r.rows, r.imported, r.rejected, batches]).toEqual([1002, 1001, [{ row: 1003, email: 'member7@example.org', reason: 'duplicate of row 9' }], 3]);
      expect((await listSubscribers(ctx, { newsletter: 'cotton', status: 'active', limit: 1 })).total).toBe(1001);
      expect((await exported(ctx)).trim().split('\r\n')).toHaveLength(1002);
    } finally {
      await store.close();
    }
  });
}

import { afterEach, beforeEach, expect, it } from 'vitest';
import { addNewsletter } from '../../src/store/newsletters.js';
import type { NewsletterRow } from '../../src/store/schema.js';
import { suppress } from '../../src/store/subscriber-events.js';
import { countSubscribers, exportSubscriptions, listSubscribers } from '../../src/store/subscriber-lists.js';
import { readCsv } from '../../src/subscribers/csv.js';
import { BATCH_ROWS, cleanName, ImportFileError, type ImportOptions, importSubscribers, parseLanguage } from '../../src/subscribers/import.js';
import { forEachDialect, type TestStore } from '../support/databases.js';

const T0 = new Date('2026-11-24T16:18:07.123Z');

async function* chunks(text: string, size = 37): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

it('reads languages by their primary subtag and cleans control characters out of names', () => {
  expect(['en', 'EN-us', 'zh', 'zh-CN', 'zh_Hans', 'fr', 'english'].map(parseLanguage)).toEqual(['en', 'en', 'zh', 'zh', 'zh', undefined, undefined]);
  expect(cleanName('  Ann\r\nBcc: x@example.com ')).toBe('Ann Bcc: x@example.com');
  expect(cleanName("'=HYPERLINK(1)")).toBe('=HYPERLINK(1)');
  expect(cleanName('\t')).toBeNull();
});

forEachDialect('importing subscribers from CSV', (dialect) => {
  let store: TestStore;
  let cotton: NewsletterRow;
  beforeEach(async () => {
    store = await dialect.open();
    cotton = await addNewsletter(store.db, { slug: 'cotton', name: 'Cotton', language: 'zh' }, T0);
  });
  afterEach(async () => {
    await store.close();
  });

  const run = (text: string, o: Partial<ImportOptions> = {}) =>
    importSubscribers({ db: store.db, now: () => T0 }, readCsv(chunks(text)), {
      newsletterId: cotton.id,
      status: 'active',
      consentVersion: null,
      defaultLanguage: cotton.language,
      dryRun: false,
      ...o,
    });

  it('reports every rejected row with its row number and reason', async () => {
    await suppress(store.db, { address: 'gone@x.org', channel: 'email', reason: 'complaint' }, T0);
    const csv = [
      'Keywords, EMAIL ,Extra,Language,Name',
      'cotton;yarn,ann@x.org,ignored,EN,Ann',
      ';,not-an-address,,,',
      ',,,,no address here',
      ',ANN@X.ORG,,,Ann again',
      ',gone@x.org,,,',
      ',fr@x.org,,fr,',
      `${Array.from({ length: 51 }, (_, i) => `k${i}`).join(';')},many@x.org,,,`,
      '',
      ',"quoted, fine@x.org",,,',
      ',li@x.org,,,"李雷"',
    ].join('\r\n');
    const report = await run(csv);
    expect(report).toEqual({
      rows: 9,
      imported: 2,
      alreadySubscribed: 0,
      dryRun: false,
      rejected: [
        { row: 3, email: 'not-an-address', reason: 'invalid address: the address needs the form name@example.org' },
        { row: 4, email: '', reason: 'no email address' },
        { row: 5, email: 'ANN@X.ORG', reason: 'duplicate of row 2' },
        { row: 6, email: 'gone@x.org', reason: 'suppressed address (complaint)' },
        { row: 7, email: 'fr@x.org', reason: 'language "fr" is not supported: use en or zh' },
        { row: 8, email: 'many@x.org', reason: '51 keywords; at most 50 are allowed' },
        { row: 10, email: 'quoted, fine@x.org', reason: 'invalid address: the address contains spaces or control characters' },
      ],
    });
    const people = await listSubscribers(store.db);
    expect(people.map((p) => [p.email, p.name, p.language, p.subscriptions[0]!.keywords])).toEqual([
      ['ann@x.org', 'Ann', 'en', '["cotton","yarn"]'],
      // No language column value: the newsletter's language.
      ['li@x.org', '李雷', 'zh', '[]'],
    ]);
  });

  it('refuses a file without an email column, or an empty one, before writing anything', async () => {
    await expect(run('name,mail\nAnn,ann@x.org\n')).rejects.toThrow(
      new ImportFileError('the header row has no "email" column (found: name, mail); the first row must name the columns, e.g. email,name,language,keywords'),
    );
    await expect(run('email,Email\na@x.org,b@x.org\n')).rejects.toThrow(/names the column "email" twice/);
    await expect(run('\r\n\r\n')).rejects.toThrow(/the file is empty/);
    expect(await countSubscribers(store.db)).toBe(0);
  });

  it('a dry run reports the same and writes nothing', async () => {
    const csv = 'email\na@x.org\nb@x.org\nbad\na@x.org\n';
    const dry = await run(csv, { dryRun: true });
    expect(dry).toMatchObject({ rows: 4, imported: 2, alreadySubscribed: 0, dryRun: true });
    expect(dry.rejected.map((r) => r.row)).toEqual([4, 5]);
    expect(await countSubscribers(store.db)).toBe(0);
    const real = await run(csv);
    expect({ ...real, dryRun: true }).toEqual(dry);
    expect(await countSubscribers(store.db)).toBe(2);
    expect(await run(csv)).toMatchObject({ imported: 0, alreadySubscribed: 2 });
  });

  it('keeps formula-like names as given (export escapes them) and strips a previous export escape', async () => {
    await run(`email,name\n'=cmd@x.org,"'=HYPERLINK(""http://evil"")"\n+plus@x.org,@SUM(A1)\n`);
    const rows = [];
    for await (const s of exportSubscriptions(store.db, {})) rows.push([s.email, s.name]);
    expect(rows).toEqual([
      ['=cmd@x.org', '=HYPERLINK("http://evil")'],
      ['+plus@x.org', '@SUM(A1)'],
    ]);
  });

  it('spans batches: duplicates across batch boundaries are caught, counts add up', async () => {
    const n = BATCH_ROWS * 2 + 203;
    const lines = ['email,name'];
    for (let i = 0; i < n; i++) lines.push(`u${i}@x.org,User ${i}`);
    // Repeats of rows from the first batch, deep in the third.
    lines.push('u0@x.org,again', `u${BATCH_ROWS - 1}@x.org,again`);
    const batches: number[] = [];
    const report = await run(lines.join('\n'), { onBatch: (r) => batches.push(r.imported) });
    expect(report).toMatchObject({ rows: n + 2, imported: n, alreadySubscribed: 0 });
    expect(report.rejected).toEqual([
      { row: n + 2, email: 'u0@x.org', reason: 'duplicate of row 2' },
      { row: n + 3, email: `u${BATCH_ROWS - 1}@x.org`, reason: `duplicate of row ${BATCH_ROWS + 1}` },
    ]);
    expect(batches).toEqual([BATCH_ROWS, BATCH_ROWS * 2, n]);
    expect(await countSubscribers(store.db, { newsletterId: cotton.id, status: 'active' })).toBe(n);
  });

  it('keeps the rows before a damaged record and says where it stopped', async () => {
    const err = await run('email\na@x.org\nb@x.org\n"c@x.org\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as Error).message).toBe(
      'row 4: a quoted field is never closed; the 2 rows before it were handled (2 imported). Fix the file and import it again',
    );
    expect(await countSubscribers(store.db)).toBe(2);
  });
});

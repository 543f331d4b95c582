// One operation, four front-ends, one effect (issue #11, acceptance 1): pausing and resuming a
// newsletter leave the same row and the same audit actions whether the CLI, the API, the admin
// web UI or the bot did it; adding one (the bot has no command for that) the same through the
// CLI, the API and the web UI.
import { describe, expect, it } from 'vitest';
import { addNewsletter } from '../../src/store/newsletters.js';
import { FRONT_ENDS, type FrontEndName, type FrontEnds, frontEnds } from '../support/front-ends.js';

/** The newsletter as a reader of the store sees it, ids and times left out. */
async function newslettersIn(fe: FrontEnds) {
  const rows = await fe.store.db.selectFrom('newsletters').selectAll().orderBy('slug').execute();
  return rows.map(({ id, created_at, updated_at, schedule_since, ...rest }) => rest);
}

async function run(name: FrontEndName, op: (fe: FrontEnds) => Promise<unknown>) {
  const fe = await frontEnds();
  try {
    // Seeded below the core, so the audit log holds only what the front-end did.
    await addNewsletter(fe.store.db, { slug: 'daily', name: 'Daily Cotton', cron: '0 8 * * *', timezone: 'Asia/Shanghai' }, new Date());
    const steps = await op(fe);
    const audit = await fe.auditActions();
    return {
      name,
      steps,
      newsletters: await newslettersIn(fe),
      audit: audit.map((a) => ({ action: a.action, ok: a.ok })),
      actors: new Set(audit.map((a) => a.actor)),
    };
  } finally {
    await fe.close();
  }
}

const ACTOR: Record<FrontEndName, RegExp> = { cli: /^cli$/, api: /^api:token$/, web: /^web:/, bot: /^telegram:\d+$/ };

describe('the same newsletter operation through every front-end', () => {
  it('pause then resume: the same row after each, and newsletter.pause then newsletter.resume', async () => {
    const enabled = async (fe: FrontEnds) => (await fe.store.db.selectFrom('newsletters').select('enabled').executeTakeFirstOrThrow()).enabled;
    const toggle: Record<FrontEndName, (fe: FrontEnds, verb: 'pause' | 'resume') => Promise<unknown>> = {
      cli: async (fe, verb) => expect((await fe.cli(['newsletters', verb, 'daily'])).code).toBe(0),
      api: async (fe, verb) => expect((await fe.api('POST', `/api/v1/newsletters/daily/${verb}`)).statusCode).toBe(200),
      web: async (fe, verb) => expect((await fe.web('POST', `/admin/newsletters/1/${verb}`)).statusCode).toBe(303),
      bot: async (fe, verb) => expect(await fe.bot(`/${verb} daily`)).toMatch(/^Daily Cotton is (paused|running again)/),
    };
    const results = await Promise.all(
      FRONT_ENDS.map((name) =>
        run(name, async (fe) => {
          await toggle[name](fe, 'pause');
          const paused = await enabled(fe);
          await toggle[name](fe, 'resume');
          return [paused, await enabled(fe)];
        }),
      ),
    );
    for (const r of results) {
      expect([r.name, r.steps]).toEqual([r.name, [0, 1]]);
      expect([r.name, r.audit]).toEqual([
        r.name,
        [
          { action: 'newsletter.pause', ok: true },
          { action: 'newsletter.resume', ok: true },
        ],
      ]);
      expect(
        [...r.actors].every((a) => ACTOR[r.name].test(a)),
        `${r.name}: ${[...r.actors]}`,
      ).toBe(true);
      expect(r.newsletters).toEqual(results[0]!.newsletters);
    }
  });

  it('add: the same row and one newsletter.add through the CLI, the API and the web UI', async () => {
    const add: Partial<Record<FrontEndName, (fe: FrontEnds) => Promise<unknown>>> = {
      cli: async (fe) => {
        const r = await fe.cli([
          'newsletters',
          'add',
          'cotton',
          '--name',
          'Cotton Weekly',
          '--cron',
          '30 7 * * 1',
          '--timezone',
          'Europe/Berlin',
          '--max-items',
          '10',
          '--include',
          'cotton,yarn',
          '--catch-up-grace',
          '60',
          '--lookback',
          '48',
        ]);
        expect(r.code, r.stderr).toBe(0);
      },
      api: async (fe) => {
        const body = {
          slug: 'cotton',
          name: 'Cotton Weekly',
          cron: '30 7 * * 1',
          timezone: 'Europe/Berlin',
          maxItems: 10,
          filters: { include: ['cotton', 'yarn'] },
          catchUpGraceMinutes: 60,
          lookbackHours: 48,
        };
        expect((await fe.api('POST', '/api/v1/newsletters', body)).statusCode).toBe(201);
      },
      web: async (fe) => {
        const form = {
          intent: 'save',
          slug: 'cotton',
          name: 'Cotton Weekly',
          language: 'en',
          cron: '30 7 * * 1',
          timezone: 'Europe/Berlin',
          grace: '60',
          max_items: '10',
          lookback: '48',
          template: 'digest',
          include: 'cotton\nyarn',
        };
        expect((await fe.web('POST', '/admin/newsletters', form)).statusCode).toBe(303);
      },
    };
    const results = await Promise.all(Object.entries(add).map(([name, op]) => run(name as FrontEndName, op)));
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect([r.name, r.newsletters[0]]).toEqual([
        r.name,
        {
          slug: 'cotton',
          name: 'Cotton Weekly',
          language: 'en',
          cron: '30 7 * * 1',
          timezone: 'Europe/Berlin',
          catch_up_grace_minutes: 60,
          filters: '{"include":["cotton","yarn"]}',
          max_items: 10,
          sections: 0,
          lookback_hours: 48,
          template: 'digest',
          enabled: 1,
        },
      ]);
      expect([r.name, r.audit]).toEqual([r.name, [{ action: 'newsletter.add', ok: true }]]);
    }
  });
});

// What the schedule ticker does for each newsletter: find the slots owed since the last one (or
// since the schedule last changed), build one digest for the newest slot inside the catch-up
// grace — its window reaches back over the older missed ones — and record a skip plus an alert
// for the ones older than that. Every replica runs this; claiming (newsletter, slot_at) in the
// digests table decides who builds, so a slot is built once however many processes tick.
import type { Kysely } from 'kysely';
import { type BuildDeps, type BuildResult, buildDigest } from '../digest/build.js';
import type { Logger } from '../log.js';
import type { AlertInput } from '../store/alerts.js';
import { buildingDigests, claimDigest, failDigest, latestSlot, skipDigest } from '../store/digests.js';
import { listNewsletters } from '../store/newsletters.js';
import type { Database, NewsletterRow } from '../store/schema.js';
import { catchUp } from './slots.js';

export interface ScheduleDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  build: BuildDeps;
  /** Stores the alert and tells the admins (service/alerts.ts). */
  alert: (alert: AlertInput) => Promise<void>;
}

export interface NewsletterRun {
  newsletter: string;
  /** The digest built for the newest owed slot, when this process owned it. */
  built?: BuildResult & { slot: Date; covers: Date[] };
  /** Missed slots outside the grace window that this process recorded as skipped. */
  skipped: Date[];
  /** Another digest of this newsletter is still being built: nothing started (no overlap). */
  waiting?: boolean;
}

/** A digest still 'building' this long after its claim belongs to a process that died. */
export const STALE_BUILD_MS = 30 * 60_000;
/**
 * A slot is on time for this long whatever the grace: a tick comes seconds after the slot, and
 * a grace of 0 ("never catch up after downtime") must not skip the slot it is late for by 2 s.
 */
export const ON_TIME_MINUTES = 5;
/** Skip rows written for one outage; older missed slots are only counted in the alert. */
const MAX_SKIP_ROWS = 48;

export async function runSchedules(deps: ScheduleDeps): Promise<NewsletterRun[]> {
  const runs: NewsletterRun[] = [];
  for (const newsletter of await listNewsletters(deps.db, { enabled: true })) {
    try {
      const run = await runNewsletter(deps, newsletter);
      if (run) runs.push(run);
    } catch (err) {
      // One newsletter's broken template or lost connection must not stop the others' slots.
      deps.log.error({ err, newsletter: newsletter.slug }, 'schedule run failed');
    }
  }
  return runs;
}

/** Null when nothing is owed (the usual tick). */
export async function runNewsletter(deps: ScheduleDeps, newsletter: NewsletterRow): Promise<NewsletterRun | null> {
  const { db } = deps;
  const now = deps.now();
  const since = new Date(newsletter.schedule_since ?? newsletter.created_at);
  const last = await latestSlot(db, newsletter.id);
  const from = last && last > since ? last : since;
  const plan = catchUp(newsletter.cron, newsletter.timezone, {
    lastSlot: from,
    now,
    graceMinutes: Math.max(newsletter.catch_up_grace_minutes, ON_TIME_MINUTES),
  });
  if (!plan.run && plan.skipped.length === 0) return null;
  if (await stillBuilding(deps, newsletter, now)) return { newsletter: newsletter.slug, skipped: [], waiting: true };

  const skipped = await recordSkips(deps, newsletter, plan.skipped, now);
  const run: NewsletterRun = { newsletter: newsletter.slug, skipped };
  if (plan.run) {
    const result = await buildDigest(deps.build, newsletter, plan.run, { covers: plan.covered });
    run.built = { ...result, slot: plan.run, covers: plan.covered };
    if (plan.covered.length && result.status !== 'not-owner') {
      deps.log.info(
        { newsletter: newsletter.slug, slot: plan.run.toISOString(), covers: plan.covered.length, status: result.status },
        'catch-up digest for missed slots',
      );
    }
  }
  return run;
}

/** True when a live build of this newsletter is under way; a dead process's build is failed. */
async function stillBuilding(deps: ScheduleDeps, newsletter: NewsletterRow, now: Date): Promise<boolean> {
  let live = false;
  for (const row of await buildingDigests(deps.db, newsletter.id)) {
    if (now.getTime() - Date.parse(row.created_at) < STALE_BUILD_MS) {
      live = true;
      continue;
    }
    await failDigest(deps.db, row.id, 'the process building it stopped before it was done; its articles go into the next digest', now);
    deps.log.warn({ newsletter: newsletter.slug, digest: row.id, slot: row.slot_at }, 'abandoned digest build marked failed');
  }
  return live;
}

async function recordSkips(deps: ScheduleDeps, newsletter: NewsletterRow, missed: Date[], now: Date): Promise<Date[]> {
  if (missed.length === 0) return [];
  const grace = newsletter.catch_up_grace_minutes;
  const reason = `missed while the service was not running, more than the catch-up grace (${grace} min) ago`;
  const recorded: Date[] = [];
  for (const slot of missed.slice(-MAX_SKIP_ROWS)) {
    const claimed = await claimDigest(deps.db, newsletter.id, slot, now);
    if (!claimed) continue;
    await skipDigest(deps.db, claimed.id, reason, now);
    recorded.push(slot);
  }
  // Only the process that recorded the skips alerts, so three replicas send one alert.
  if (recorded.length) {
    const first = missed[0]!.toISOString();
    const lastMissed = missed[missed.length - 1]!.toISOString();
    const span = missed.length === 1 ? `the slot at ${first} was` : `${missed.length} slots from ${first} to ${lastMissed} were`;
    await deps.alert({
      kind: 'missed-slots',
      newsletterId: newsletter.id,
      message: `${newsletter.name}: ${span} missed while Tidings was not running, longer ago than the catch-up grace of ${grace} minutes, so no digest was sent for them. Their articles go into the next digest; raise the grace (newsletter setting) to catch up instead.`,
    });
  }
  return recorded;
}

// The steps the service's loops repeat. Each claims its work in the database (sources by a
// lease on next_fetch_at, deliveries by their lease), so any number of processes can run the
// same step side by side without doing anything twice.
import type { IngestDeps, IngestSummary } from '../ingest/ingest.js';
import { ingestAll } from '../ingest/ingest.js';
import { type DeliveryChannel, runSendLoop, type SendLoopDeps, type SendOptions, type SendProgress } from '../deliver/send-loop.js';
import type { DialectName } from '../store/db.js';
import { claimDueSources } from '../store/sources.js';
import { type SummarizeStageDeps, summarizePending } from '../summarize/stage.js';

/** How long a claimed source stays this process's before another may take it. */
export const SOURCE_LEASE_MS = 10 * 60_000;

export interface IngestStepDeps {
  ingest: IngestDeps;
  dialect: DialectName;
  summarize: SummarizeStageDeps;
  sentences: number;
  onIngest?: (summary: IngestSummary) => void;
}

/** Fetches the sources that are due (up to a batch), then summarizes what arrived. */
export async function ingestStep(deps: IngestStepDeps): Promise<boolean> {
  const { ingest } = deps;
  const ids = await claimDueSources(ingest.db, deps.dialect, ingest.now(), { limit: Math.max(ingest.concurrency * 4, 16), leaseMs: SOURCE_LEASE_MS });
  if (ids.length === 0) return false;
  const summary = await ingestAll(ingest, { sourceIds: ids });
  deps.onIngest?.(summary);
  if (summary.new > 0) await summarizePending(deps.summarize, { budget: { sentences: deps.sentences } });
  ingest.log.info({ sources: summary.sources, new: summary.new, failed: summary.failed, notModified: summary.notModified }, 'ingested due sources');
  return true;
}

const anything = (p: SendProgress) => p.sent + p.failed + p.retried + p.suppressed > 0;

/** One pass of the send loop over a channel's due rows; true when it did anything. */
export async function deliveryStep(deps: SendLoopDeps, channel: DeliveryChannel, opts: Omit<SendOptions, 'signal'>, signal: AbortSignal): Promise<boolean> {
  const progress = await runSendLoop(deps, channel, { ...opts, signal });
  if (anything(progress)) deps.log.info({ channel: channel.name, ...progress }, 'deliveries sent');
  return anything(progress);
}

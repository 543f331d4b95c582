// How a ready digest's deliveries are written: one ledger row per active subscription whose
// keywords match one of the digest's stories, in the digest's own transaction (BuildDeps).
import { createDeliveries } from '../store/deliveries.js';
import type { BuildDeps } from './build.js';
import { digestMatcher } from './filters.js';
import { digestItems } from './model.js';

/** BuildDeps.createLedger for mail sent from `domain` (its Message-IDs and List-Id). */
export function ledgerWriter(domain: string, now: () => Date): NonNullable<BuildDeps['createLedger']> {
  return (trx, digest) =>
    createDeliveries(trx, {
      digestId: digest.id,
      newsletterId: digest.newsletter.id,
      domain,
      now: now(),
      matchesKeywords: digestMatcher(digestItems(digest.model)),
    });
}

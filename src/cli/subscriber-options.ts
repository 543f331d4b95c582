// Arguments and options the subscribers commands share, checked into UsageErrors (one line,
// exit code 2) inside the action rather than by commander, whose own errors exit with 1.
import type { Deps } from '../deps.js';
import type { NewsletterRow, SubscriptionStatus } from '../store/schema.js';
import { SUBSCRIPTION_STATUSES } from '../store/subscriber-lists.js';
import { parseEmailAddress } from '../subscribers/address.js';
import { UsageError } from './context.js';
import { findNewsletter } from './newsletters.js';
import { truncate } from './output.js';

/** Comma-separated and repeatable, like the newsletter filter options. */
export function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(/[,，]/).map((s) => s.trim()).filter(Boolean)];
}

export function emailArgument(raw: string): string {
  const parsed = parseEmailAddress(raw);
  if (!parsed.ok) throw new UsageError(`"${truncate(raw, 80)}" is not a valid email address: ${parsed.reason}`);
  return parsed.address;
}

export function statusOption(raw: string | undefined): SubscriptionStatus | undefined {
  if (raw === undefined) return undefined;
  if (!SUBSCRIPTION_STATUSES.includes(raw as SubscriptionStatus)) throw new UsageError(`--status must be one of ${SUBSCRIPTION_STATUSES.join(', ')}, got "${raw}"`);
  return raw as SubscriptionStatus;
}

export async function optionalNewsletter(deps: Deps, key: string | undefined): Promise<NewsletterRow | undefined> {
  return key === undefined ? undefined : findNewsletter(deps, key);
}

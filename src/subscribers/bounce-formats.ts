// Bounce and complaint reports as providers send them, reduced to one event shape. Accepted:
// - generic: {type: 'hard-bounce'|'soft-bounce'|'complaint', email, reason?, at?} or an array;
// - Amazon SES notifications (notificationType/eventType Bounce or Complaint), bare or inside an
//   SNS envelope ({Type: 'Notification', Message: '<json>'});
// - Mailgun webhooks ({signature, 'event-data': {event: 'failed'|'complained', severity, recipient}});
// - Postmark webhooks ({RecordType: 'Bounce'|'SpamComplaint', Type, Email}).
// Events a format knows but that are not bounces (deliveries, opens) are counted as ignored.
import { capText, plainLine } from '../digest/personalize.js';
import { parseEmailAddress } from './address.js';

export type BounceType = 'hard-bounce' | 'soft-bounce' | 'complaint';

export interface BounceEvent {
  type: BounceType;
  /** Canonical address (subscribers/address.ts). */
  email: string;
  reason: string | null;
  /** When the provider saw it; null: unknown (now is used). */
  at: Date | null;
}

export type ParsedReport = { ok: true; events: BounceEvent[]; ignored: number; snsSubscribeUrl?: string } | { ok: false; error: string };

class Malformed extends Error {}

const MAX_EVENTS = 1000;
const TYPES = new Set<string>(['hard-bounce', 'soft-bounce', 'complaint']);
// Postmark's bounce types that say something about the address; the rest (auto-replies,
// DMARC failures of our own domain, challenge mails) are not the recipient's doing.
const POSTMARK: Record<string, BounceType> = {
  HardBounce: 'hard-bounce',
  BadEmailAddress: 'hard-bounce',
  SoftBounce: 'soft-bounce',
  Transient: 'soft-bounce',
  DnsError: 'soft-bounce',
  SpamComplaint: 'complaint',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function address(raw: unknown, where: string): string {
  if (typeof raw !== 'string') throw new Malformed(`${where}: the email address is missing`);
  const parsed = parseEmailAddress(raw);
  if (!parsed.ok) throw new Malformed(`${where}: ${parsed.reason}`);
  return parsed.address;
}

function reason(...candidates: unknown[]): string | null {
  const found = candidates.find((c) => typeof c === 'string' && c.trim() !== '') as string | undefined;
  return found === undefined ? null : capText(plainLine(found), 500);
}

/** ISO text or Unix seconds (Mailgun); absent is null, anything else malformed. */
function time(raw: unknown, where: string): Date | null {
  if (raw === undefined || raw === null) return null;
  const d = typeof raw === 'number' ? new Date(raw * 1000) : typeof raw === 'string' ? new Date(raw) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new Malformed(`${where}: "at" is not a date`);
  return d;
}

function generic(o: Record<string, unknown>, where: string): BounceEvent {
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) throw new Malformed(`${where}: type must be hard-bounce, soft-bounce or complaint`);
  if (o.reason !== undefined && o.reason !== null && typeof o.reason !== 'string') throw new Malformed(`${where}: reason must be text`);
  return { type: o.type as BounceType, email: address(o.email, where), reason: reason(o.reason), at: time(o.at, where) };
}

function ses(o: Record<string, unknown>, where: string): BounceEvent[] | null {
  const kind = o.notificationType ?? o.eventType;
  if (kind === 'Bounce' && isObject(o.bounce)) {
    const b = o.bounce;
    const type: BounceType = b.bounceType === 'Permanent' ? 'hard-bounce' : 'soft-bounce';
    if (!Array.isArray(b.bouncedRecipients)) throw new Malformed(`${where}: bounce.bouncedRecipients is missing`);
    const at = time(b.timestamp, where);
    return b.bouncedRecipients.map((r: unknown, i) => {
      const rec = isObject(r) ? r : {};
      return {
        type,
        email: address(rec.emailAddress, `${where} recipient ${i + 1}`),
        reason: reason(rec.diagnosticCode, `${b.bounceType}/${b.bounceSubType}`),
        at,
      };
    });
  }
  if (kind === 'Complaint' && isObject(o.complaint)) {
    const c = o.complaint;
    if (!Array.isArray(c.complainedRecipients)) throw new Malformed(`${where}: complaint.complainedRecipients is missing`);
    const at = time(c.timestamp, where);
    return c.complainedRecipients.map((r: unknown, i) => ({
      type: 'complaint' as const,
      email: address(isObject(r) ? r.emailAddress : undefined, `${where} recipient ${i + 1}`),
      reason: reason(c.complaintFeedbackType, 'complaint'),
      at,
    }));
  }
  return typeof kind === 'string' && isObject(o.mail) ? [] : null;
}

function mailgun(o: Record<string, unknown>, where: string): BounceEvent[] | null {
  const d = o['event-data'];
  if (!isObject(d)) return null;
  const at = time(d.timestamp, where);
  if (d.event === 'complained') return [{ type: 'complaint', email: address(d.recipient, where), reason: 'complaint', at }];
  if (d.event !== 'failed') return [];
  const status = isObject(d['delivery-status']) ? d['delivery-status'] : {};
  const type: BounceType = d.severity === 'permanent' ? 'hard-bounce' : 'soft-bounce';
  return [{ type, email: address(d.recipient, where), reason: reason(status.description, status.message, d.reason), at }];
}

function postmark(o: Record<string, unknown>, where: string): BounceEvent[] | null {
  if (typeof o.RecordType !== 'string') return null;
  const type = o.RecordType === 'SpamComplaint' ? 'complaint' : o.RecordType === 'Bounce' ? POSTMARK[String(o.Type)] : undefined;
  if (!type) return [];
  return [{ type, email: address(o.Email, where), reason: reason(o.Description, o.Details, o.Type), at: time(o.BouncedAt, where) }];
}

function one(v: unknown, where: string, out: { events: BounceEvent[]; ignored: number; snsSubscribeUrl?: string }): void {
  if (!isObject(v)) throw new Malformed(`${where}: expected a JSON object`);
  // SNS wraps SES's notification as a JSON string; subscription confirmations carry a URL to visit.
  if (v.Type === 'SubscriptionConfirmation' && typeof v.SubscribeURL === 'string') {
    out.snsSubscribeUrl = v.SubscribeURL;
    return;
  }
  if (v.Type === 'Notification' && typeof v.Message === 'string') {
    let inner: unknown;
    try {
      inner = JSON.parse(v.Message);
    } catch {
      throw new Malformed(`${where}: the SNS Message is not JSON`);
    }
    one(inner, where, out);
    return;
  }
  const found = ses(v, where) ?? mailgun(v, where) ?? postmark(v, where) ?? (v.type !== undefined || v.email !== undefined ? [generic(v, where)] : null);
  if (found === null) throw new Malformed(`${where}: not a bounce report (expected {type, email} or an SES, Mailgun or Postmark payload)`);
  if (found.length === 0) out.ignored++;
  out.events.push(...found);
}

/** The events in a parsed JSON body, or the one-line reason it is not a report we understand. */
export function parseBounceReport(body: unknown): ParsedReport {
  const out: { events: BounceEvent[]; ignored: number; snsSubscribeUrl?: string } = { events: [], ignored: 0 };
  try {
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0) throw new Malformed('the array is empty');
    if (items.length > MAX_EVENTS) throw new Malformed(`more than ${MAX_EVENTS} events in one request`);
    for (const [i, item] of items.entries()) one(item, Array.isArray(body) ? `event ${i + 1}` : 'event', out);
    if (out.events.length > MAX_EVENTS) throw new Malformed(`more than ${MAX_EVENTS} recipients in one request`);
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, error: err.message };
    throw err;
  }
  return { ok: true, ...out };
}

// What a failed SMTP send means for the ledger. The reply code decides: 4xx and anything that
// broke the connection are transient, 5xx permanent, and a 5xx that says the mailbox does not
// exist also suppresses the address. Problems on our side of the relay (authentication, TLS,
// DNS, a refused connection) are transient too: the relay or the settings get fixed, the
// subscriber did nothing wrong, so no row is failed for them.
import { DeliveryError } from './channel.js';

/** The parts of a nodemailer error this mapping reads. */
export interface SmtpErrorLike {
  message?: string;
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET']);
// Enhanced status codes (RFC 3463) that name the address itself as bad: unknown mailbox, bad
// domain, bad syntax, moved, null MX, disabled mailbox.
const BAD_MAILBOX = /^5\.(1\.(1|2|3|6|10)|2\.1)$/;
const POLICY_WORDS = /spam|policy|block|blacklist|denylist|reputation|rate limit|too many|content/i;

function enhancedCode(response: string): string | undefined {
  return /^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1];
}

function suppresses(code: number, response: string, command: string | undefined): boolean {
  const enhanced = enhancedCode(response);
  if (enhanced) return BAD_MAILBOX.test(enhanced);
  // Without an enhanced code only a recipient refusal counts, and not one that gives a policy
  // reason: 550 after DATA is usually the content being refused, not the mailbox missing.
  return (code === 550 || code === 551 || code === 553) && command === 'RCPT TO' && !POLICY_WORDS.test(response);
}

// "try again in 30 seconds", "retry after 5 minutes": a hint some servers give with 421/45x.
function retryHint(response: string): number | undefined {
  const m = /\b(?:in|after)\s+(\d{1,5})\s*(s|sec|secs|seconds?|m|min|mins|minutes?)\b/i.exec(response);
  if (!m) return undefined;
  return Number(m[1]) * (m[2]!.toLowerCase().startsWith('m') ? 60_000 : 1000);
}

/**
 * @param dataSent the whole message had been handed to the connection when it failed, so the
 *   server may have accepted it without our hearing the reply.
 */
export function deliveryError(err: unknown, dataSent: boolean): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as SmtpErrorLike;
  const response = (e.response ?? '').trim();
  const code = e.responseCode;
  const detail = response || e.message || 'unknown error';
  // Only a refusal of this recipient or this message is permanent; a 5xx to AUTH, MAIL FROM or
  // the greeting refuses every message alike and is for the operator to fix.
  const aboutThisMessage = e.command === 'RCPT TO' || e.command === 'DATA';
  if (code !== undefined && code >= 500 && code < 600 && code !== 503 && aboutThisMessage) {
    return new DeliveryError(`SMTP ${e.command} refused: ${detail}`, {
      permanent: true,
      code,
      suppress: suppresses(code, response, e.command),
      cause: err,
    });
  }
  if (code !== undefined && code >= 400 && code < 600) {
    const what = aboutThisMessage || code < 500 ? 'deferred' : 'refused (check SMTP_URL and MAIL_FROM)';
    return new DeliveryError(`SMTP ${e.command ?? 'send'} ${what}: ${detail}`, {
      permanent: false,
      code,
      retryAfterMs: retryHint(response),
      cause: err,
    });
  }
  const broken = e.code !== undefined && CONNECTION_CODES.has(e.code);
  const uncertain = broken && dataSent;
  const what = uncertain ? 'connection lost after the message was sent, before the reply' : `SMTP ${e.code ?? 'error'}`;
  return new DeliveryError(`${what}: ${e.message ?? detail}`, { permanent: false, uncertain, cause: err });
}

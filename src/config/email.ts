// The mail part of the config: the checks that span several variables (DKIM needs all of its
// parts; SMTP needs a sender), reading the DKIM key file, and proving the key parses, so a bad
// setting stops start-up naming the variable — and never printing a key or a password.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface EmailConfig {
  /** SMTP_URL (secret: it carries credentials); unset: the outbox. */
  smtpUrl: string | undefined;
  poolConnections: number;
  /** Messages per second across the pool; 0 = unlimited. */
  ratePerSecond: number;
  /** SMTP_TLS_REJECT_UNAUTHORIZED: check the relay's TLS certificate (false only for a self-signed relay). */
  tlsRejectUnauthorized: boolean;
  from: { name: string; address: string };
  /** Where messages are written when SMTP_URL is unset. */
  outboxDir: string;
  dkim: { domain: string; selector: string; privateKey: string } | undefined;
}

/** The parsed variables emailSettings reads (a slice of the config schema's output). */
export interface EmailEnv {
  SMTP_URL?: string | undefined;
  SMTP_POOL_CONNECTIONS: number;
  SMTP_RATE_PER_SECOND: number;
  SMTP_TLS_REJECT_UNAUTHORIZED: boolean;
  MAIL_FROM?: string | undefined;
  MAIL_FROM_NAME?: string | undefined;
  TIDINGS_ORGANIZATION: string;
  DKIM_DOMAIN?: string | undefined;
  DKIM_SELECTOR?: string | undefined;
  DKIM_PRIVATE_KEY?: string | undefined;
  DKIM_PRIVATE_KEY_FILE?: string | undefined;
}

/** The sender when nothing is configured: only the outbox ever sees it. */
export const OUTBOX_FROM = 'tidings@localhost';

export function isSmtpUrl(s: string): boolean {
  try {
    const url = new URL(s);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function dkimKey(e: EmailEnv, fail: (problem: string) => never): string {
  if (e.DKIM_PRIVATE_KEY && e.DKIM_PRIVATE_KEY_FILE) fail('DKIM_PRIVATE_KEY: set it or DKIM_PRIVATE_KEY_FILE, not both');
  let pem: string;
  const variable = e.DKIM_PRIVATE_KEY_FILE ? 'DKIM_PRIVATE_KEY_FILE' : 'DKIM_PRIVATE_KEY';
  if (e.DKIM_PRIVATE_KEY_FILE) {
    const file = path.resolve(e.DKIM_PRIVATE_KEY_FILE);
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      fail(`DKIM_PRIVATE_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else {
    if (!e.DKIM_PRIVATE_KEY) fail('DKIM_PRIVATE_KEY: expected a PEM private key (or DKIM_PRIVATE_KEY_FILE) when DKIM_DOMAIN is set');
    // .env files cannot hold line breaks easily; "\n" written out stands for one.
    pem = e.DKIM_PRIVATE_KEY.replace(/\\n/g, '\n');
  }
  let type: string | undefined;
  try {
    type = createPrivateKey(pem).asymmetricKeyType;
  } catch {
    fail(`${variable}: expected a PEM RSA private key (-----BEGIN PRIVATE KEY----- …)`);
  }
  if (type !== 'rsa') fail(`${variable}: expected an RSA private key, got ${type}`);
  return pem;
}

export function emailSettings(e: EmailEnv, dataDir: string, fail: (problem: string) => never): EmailConfig {
  if (e.SMTP_URL && !e.MAIL_FROM) fail('MAIL_FROM: expected the sender address (e.g. news@example.org) when SMTP_URL is set');
  const anyDkim = e.DKIM_DOMAIN || e.DKIM_SELECTOR || e.DKIM_PRIVATE_KEY || e.DKIM_PRIVATE_KEY_FILE;
  if (anyDkim && !e.DKIM_DOMAIN) fail('DKIM_DOMAIN: expected the signing domain (e.g. example.org) when a DKIM setting is present');
  if (anyDkim && !e.DKIM_SELECTOR) fail('DKIM_SELECTOR: expected the selector of the published key (e.g. tidings2026) when a DKIM setting is present');
  return {
    smtpUrl: e.SMTP_URL,
    poolConnections: e.SMTP_POOL_CONNECTIONS,
    ratePerSecond: e.SMTP_RATE_PER_SECOND,
    tlsRejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED,
    from: { name: e.MAIL_FROM_NAME ?? e.TIDINGS_ORGANIZATION, address: e.MAIL_FROM ?? OUTBOX_FROM },
    outboxDir: path.join(dataDir, 'outbox'),
    dkim: anyDkim ? { domain: e.DKIM_DOMAIN!, selector: e.DKIM_SELECTOR!, privateKey: dkimKey(e, fail) } : undefined,
  };
}

/** SMTP_URL as an admin may see it: where, not who; the DKIM key never. */
export function redactedEmail(email: EmailConfig): Record<string, unknown> {
  let smtpUrl: string | undefined;
  if (email.smtpUrl) {
    const url = new URL(email.smtpUrl);
    smtpUrl = `${url.protocol}//${url.username || url.password ? '<redacted>@' : ''}${url.host}`;
  }
  return { ...email, smtpUrl, dkim: email.dkim ? { ...email.dkim, privateKey: '<redacted>' } : undefined };
}

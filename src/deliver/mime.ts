// The message builder for digests. A digest goes to thousands of people with the same headers,
// parts and boundary, so everything shared is prepared once per EmailContent (WeakMap) and each
// recipient costs personalize()'s values and the few encoded lines that hold them.
//
// Parts are quoted-printable when that is smaller than base64 (any mostly-ASCII digest): QP is
// line-local, so the digest's lines are encoded once (see qp.ts) and a recipient is a join of
// precomputed blocks. A part where base64 is smaller (a Chinese plain-text part, where QP would
// spend 9 octets per character) is base64, encoded per recipient with Node's native encoder.
// Either way the body is already in DKIM's relaxed canonical form, so signing hashes it as is.
import { randomBytes } from 'node:crypto';
import type { EmailContent, EmailDelivery } from './channel.js';
import { type Pieces, type PlaceholderValues, SUBJECT_MAX, cleanRecipientName, joinPieces, personalizedParts } from '../digest/personalize.js';
import { headerUrl, listIdHeader, mailAddress, mailbox, mailtoUri, messageIdHeader, rfc5322Date, unstructured } from './mime-headers.js';
import { type BodyPiece, type QpTemplate, fillQpPieces, qpCheaper, qpTemplate } from './qp.js';

export { InvalidHeaderError, isMailAddress } from './mime-headers.js';

/** One header field as DKIM's signer takes it: lower-case name and the whole line. */
export interface HeaderLine {
  key: string;
  line: string;
}

export interface BuiltMessage {
  /** In order, each line without its CRLF. */
  headers: HeaderLine[];
  /** Everything after the blank line: ASCII, CRLF line ends, ends with CRLF (joined from `pieces` when read). */
  readonly body: string;
  /** The body as the digest's shared stretches (bytes made once) and this recipient's strings. */
  pieces: BodyPiece[];
  envelope: { from: string; to: string };
}

interface Shared {
  from: string;
  envelopeFrom: string;
  /** Headers after the per-recipient ones, identical for every recipient. */
  tail: HeaderLine[];
  boundary: string;
  end: string;
  /** The subject as rendered and its encoded form, reused while personalize() leaves it unchanged. */
  subject: string;
  subjectValue: string;
}

const shared = new WeakMap<EmailContent, Shared>();

const header = (name: string, value: string): HeaderLine => ({ key: name.toLowerCase(), line: `${name}: ${value}` });

function prepare(content: EmailContent): Shared {
  const cached = shared.get(content);
  if (cached) return cached;
  // QP writes "=" as "=3D" and base64 has no "_", so "=_" never occurs in a part: no collision.
  const boundary = `=_tidings_${randomBytes(12).toString('hex')}`;
  const fresh: Shared = {
    from: mailbox(content.from.name, content.from.address, 'the From address'),
    envelopeFrom: mailAddress(content.from.address, 'the From address'),
    tail: [
      header('MIME-Version', '1.0'),
      header('List-Id', listIdHeader(content.listId)),
      header('List-Unsubscribe-Post', 'List-Unsubscribe=One-Click'),
      // Keeps vacation and out-of-office responders (RFC 3834) from answering a newsletter.
      header('Precedence', 'bulk'),
      header('Content-Type', `multipart/alternative; boundary="${boundary}"`),
    ],
    boundary,
    end: `\r\n--${boundary}--\r\n`,
    subject: content.rendered.subject,
    subjectValue: unstructured(content.rendered.subject, SUBJECT_MAX),
  };
  shared.set(content, fresh);
  return fresh;
}

// null: base64 is the smaller encoding for this part. Keyed by personalize()'s pieces, which stay
// the same objects for as long as the rendered email does.
const templates = new WeakMap<Pieces, QpTemplate | null>();

function qpTemplateOf(pieces: Pieces): QpTemplate | null {
  let t = templates.get(pieces);
  if (t === undefined) {
    t = qpCheaper(pieces.literals.join('')) ? qpTemplate(pieces) : null;
    templates.set(pieces, t);
  }
  return t;
}

/** One part of the multipart/alternative body, from its delimiter line to its last content line, appended to `out`. */
function part(boundary: string, type: string, p: { pieces: Pieces; values: PlaceholderValues }, text: boolean, out: BodyPiece[]): void {
  const qp = qpTemplateOf(p.pieces);
  out.push(`--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${qp ? 'quoted-printable' : 'base64'}\r\n\r\n`);
  if (qp) {
    fillQpPieces(qp, p.values, out);
    return;
  }
  const content = joinPieces(p.pieces, p.values);
  // Text in canonical form (CRLF) before encoding, as RFC 2046 asks of text parts.
  out.push(base64Lines(Buffer.from(text ? content.replace(/\r?\n/g, '\r\n') : content, 'utf8')));
}

const LINE = 76;

/** Base64 in 76-character lines joined by CRLF, without a final CRLF. */
export function base64Lines(data: Buffer): string {
  const b64 = data.toString('base64');
  if (b64.length <= LINE) return b64;
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += LINE) lines.push(b64.slice(i, i + LINE));
  return lines.join('\r\n');
}

/**
 * The digest for one recipient. Throws InvalidHeaderError (or personalize's Error) when a field
 * cannot be put in a header safely: a malformed address, URL, Message-ID or List-Id.
 */
export function buildMessage(content: EmailContent, delivery: EmailDelivery, date: Date): BuiltMessage {
  const s = prepare(content);
  const to = mailAddress(delivery.to, 'the recipient address');
  const unsubscribe = [`<${headerUrl(delivery.recipient.unsubscribeUrl, 'the unsubscribe URL')}>`];
  if (delivery.unsubscribeMailto) unsubscribe.push(`<${mailtoUri(delivery.unsubscribeMailto)}>`);
  const personal = personalizedParts(content.rendered, delivery.recipient);
  const subject = personal.subject === s.subject ? s.subjectValue : unstructured(personal.subject, SUBJECT_MAX);
  const headers: HeaderLine[] = [
    header('From', s.from),
    header('To', mailbox(cleanRecipientName(delivery.recipient.name), to, 'the recipient address')),
    header('Subject', subject),
    header('Date', rfc5322Date(date)),
    header('Message-ID', messageIdHeader(delivery.messageId)),
    header('List-Unsubscribe', unsubscribe.join(', ')),
    ...s.tail,
  ];
  const pieces: BodyPiece[] = [];
  part(s.boundary, 'text/plain', personal.text, true, pieces);
  pieces.push('\r\n');
  part(s.boundary, 'text/html', personal.html, false, pieces);
  pieces.push(s.end);
  return {
    headers,
    pieces,
    get body() {
      let body = '';
      for (const p of pieces) body += typeof p === 'string' ? p : p.text;
      return body;
    },
    envelope: { from: s.envelopeFrom, to },
  };
}

/**
 * The message as chunks to write in order: the header block, then the body's stretches — the
 * digest's shared ones as the bytes made once, this recipient's as ASCII strings — so a send
 * copies nothing and allocates no message-sized buffer. `dotStuffed`: ready for SMTP DATA
 * (RFC 5321 4.5.2). What this builder writes never needs stuffing — QP encodes a leading "." once
 * per digest for the shared lines (qpTemplate) and per recipient for the few lines holding their
 * values, base64 has no ".", and every header line starts with its name or folding space — so
 * only lines handed in from outside (a DKIM-Signature) are stuffed, and no body is scanned.
 */
export function messageChunks(message: BuiltMessage, prepend: string[] = [], opts: { dotStuffed?: boolean } = {}): (string | Buffer)[] {
  let head = '';
  for (const line of prepend) head += `${opts.dotStuffed ? dotStuffLines(line) : line}\r\n`;
  for (const h of message.headers) head += `${h.line}\r\n`;
  const chunks: (string | Buffer)[] = [`${head}\r\n`];
  for (const p of message.pieces) chunks.push(typeof p === 'string' ? p : p.bytes);
  return chunks;
}

/** The message as one buffer (the outbox's file), with extra header lines (a DKIM-Signature) in front. */
export function messageBytes(message: BuiltMessage, prepend: string[] = [], opts: { dotStuffed?: boolean } = {}): Buffer {
  const chunks = messageChunks(message, prepend, opts);
  let size = 0;
  for (const c of chunks) size += c.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  // Strings here are ASCII: one character, one byte.
  for (const c of chunks) {
    if (typeof c === 'string') at += out.write(c, at, 'latin1');
    else {
      out.set(c, at);
      at += c.length;
    }
  }
  return out;
}

/** Doubles a "." that starts a line (SMTP transparency). */
export function dotStuffLines(text: string): string {
  return text.charCodeAt(0) === 0x2e || text.includes('\n.') ? text.replace(/(^|\n)\./g, '$1..') : text;
}

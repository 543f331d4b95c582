// SMTP replies (RFC 5321 4.2): read off the socket, matched in order to the commands waiting for
// them (pipelining sends several before the first reply), multi-line replies joined into one.
import type { SmtpErrorLike } from './smtp-errors.js';

export interface Reply {
  code: number;
  /** The text of each line, after "250-" / "250 ". */
  lines: string[];
  /** One line for logs and the ledger: "550 5.1.1 first line second line". */
  text: string;
  /** The command it answers ("CONN" for the greeting). */
  command: string;
}

/** A failure shaped like nodemailer's errors, which smtp-errors.ts maps. */
export class SmtpError extends Error implements SmtpErrorLike {
  override readonly name = 'SmtpError';
  responseCode: number | undefined;
  response: string | undefined;
  /** The whole message had been written when the connection failed: it may have been accepted. */
  dataSent = false;

  constructor(
    message: string,
    readonly code: string,
    readonly command: string,
    reply?: Reply,
  ) {
    super(message);
    this.responseCode = reply?.code;
    this.response = reply?.text;
  }

  static refused(reply: Reply, command: string, code: string): SmtpError {
    return new SmtpError(`${command}: ${reply.text}`, code, command, reply);
  }
}

interface Waiter {
  command: string;
  resolve: (reply: Reply) => void;
  reject: (err: SmtpError) => void;
}

// A reply line is short (512 octets, RFC 5321 4.5.3.1.5); far more without a line end is not SMTP.
const MAX_PENDING = 64 * 1024;
const LINE = /^(\d{3})(?:([ -])(.*))?$/;
const ENHANCED = /^\d\.\d{1,3}\.\d{1,3} /;

export class ReplyReader {
  private readonly waiters: Waiter[] = [];
  private buffered = '';
  private lines: string[] = [];
  private failed: SmtpError | undefined;

  constructor(
    private readonly where: string,
    private readonly timeoutMs: number,
    private readonly onProtocolError: (err: SmtpError) => void,
  ) {}

  /** The next reply, which answers `command`; rejects when the connection fails first. */
  expect(command: string): Promise<Reply> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => this.waiters.push({ command, resolve, reject }));
  }

  waiting(): boolean {
    return this.waiters.length > 0;
  }

  nextCommand(): string | undefined {
    return this.waiters[0]?.command;
  }

  timeoutError(connecting: boolean): SmtpError {
    const command = this.nextCommand() ?? 'CONN';
    const what = connecting ? 'could not connect' : command === 'CONN' ? 'sent no greeting' : `did not answer ${command}`;
    return new SmtpError(`SMTP server ${this.where} ${what} within ${Math.round(this.timeoutMs / 1000)} s`, 'ETIMEDOUT', command);
  }

  /** Every waiting command fails with `err` (the connection is gone), as do later ones. */
  failAll(err: SmtpError): void {
    this.failed ??= err;
    for (const w of this.waiters.splice(0)) {
      // Each waiter learns which of its commands was cut off, for the error mapping.
      const own = new SmtpError(err.message, err.code, w.command === 'CONN' ? err.command : w.command);
      w.reject(own);
    }
  }

  onData = (chunk: Buffer): void => {
    this.buffered += chunk.toString('latin1');
    let nl = this.buffered.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffered.charCodeAt(nl - 1) === 13 ? this.buffered.slice(0, nl - 1) : this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (!this.line(line)) return;
      nl = this.buffered.indexOf('\n');
    }
    if (this.buffered.length > MAX_PENDING) this.protocolError('a reply line without end');
  };

  private line(line: string): boolean {
    const m = LINE.exec(line);
    if (!m) {
      this.protocolError(`an unexpected reply ${JSON.stringify(line.slice(0, 80))}`);
      return false;
    }
    this.lines.push(m[3] ?? '');
    if (m[2] === '-') return true;
    const code = Number(m[1]);
    const lines = this.lines;
    this.lines = [];
    const waiter = this.waiters.shift();
    // Nobody asked: a 421 announcing shutdown, or the answer to QUIT. The next command will find
    // the connection closed; nothing else to do.
    if (!waiter) return true;
    waiter.resolve({ code, lines, text: replyText(code, lines), command: waiter.command });
    return true;
  }

  private protocolError(what: string): void {
    this.onProtocolError(new SmtpError(`SMTP server ${this.where} sent ${what}`, 'EPROTOCOL', this.nextCommand() ?? 'CONN'));
  }
}

/** "550 5.1.1 a b": the code, then each line's text, a repeated enhanced code dropped. */
export function replyText(code: number, lines: string[]): string {
  if (lines.length === 1) return lines[0] ? `${code} ${lines[0]}` : String(code);
  const enhanced = ENHANCED.exec(lines[0] ?? '')?.[0];
  const parts = lines.map((l, i) => (i > 0 && enhanced && l.startsWith(enhanced) ? l.slice(enhanced.length) : l).trim());
  return `${code} ${parts.filter(Boolean).join(' ')}`;
}

// One SMTP connection (RFC 5321) over node:net / node:tls, as small as the send hot path allows:
// greeting, EHLO (HELO for old servers), STARTTLS, AUTH PLAIN/LOGIN, then one message at a time.
// With PIPELINING a message costs two writes and two round trips: MAIL FROM + RCPT TO + DATA
// together, then the body and its terminator together. The body arrives already dot-stuffed
// (mime.ts), so nothing here touches its bytes.
//
// Failures are SmtpErrors shaped like nodemailer's (code, responseCode, response, command), so
// smtp-errors.ts maps them unchanged. Credentials never enter an error, a log line or a reply
// text we keep: only the server's own replies do.
import { type Socket, connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DeliveryError } from './channel.js';
import { authenticate, ehloName, parseEhlo, startTls, tlsAdvice, tlsOptions } from './smtp-hello.js';
import { ReplyReader, type Reply, SmtpError } from './smtp-reply.js';

export { type Reply, SmtpError } from './smtp-reply.js';

export interface SessionOptions {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte. */
  secure: boolean;
  /** STARTTLS must succeed (the URL asks for it, or a password is about to cross a network). */
  requireTls: boolean;
  auth: { user: string; pass: string } | undefined;
  /** false only for a relay with a self-signed certificate (SMTP_TLS_REJECT_UNAUTHORIZED). */
  rejectUnauthorized: boolean;
  /** Extra trusted certificates (a private CA). */
  ca: string | Buffer | undefined;
  /** The EHLO name; default: this machine's name when it is fully qualified, else its address literal. */
  name: string | undefined;
  /** Connect, greeting and reply deadlines (socket inactivity). */
  timeoutMs: number;
}

export interface Envelope {
  from: string;
  to: string;
}

/** A whole message: one buffer, or chunks in order (strings are ASCII). */
export type MessageBody = Buffer | readonly (string | Buffer)[];

const END = Buffer.from('.\r\n');
const CRLF_END = Buffer.from('\r\n.\r\n');
// An address goes into a command line: nothing may end the line or the <…> early.
const UNSAFE_ADDRESS = /[\r\n<>\s]/;

export class SmtpSession {
  /** Transactions started on this connection (the pool replaces it after messagesPerConnection). */
  messages = 0;
  /** False once the connection broke, the server said 421 or a reset failed: close it, don't reuse it. */
  usable = true;
  /** Called once when the connection is gone, whatever the reason. */
  onClose: (() => void) | undefined;
  private socket: Socket;
  /** The TCP socket under a STARTTLS upgrade (the same as `socket` otherwise). */
  private readonly tcp: Socket;
  private readonly reader: ReplyReader;
  private extensions = new Map<string, string>();
  private sizeLimit = 0;
  private closed = false;
  private ready = false;

  private constructor(private readonly opts: SessionOptions) {
    const where = `${opts.host}:${opts.port}`;
    this.reader = new ReplyReader(where, opts.timeoutMs, (err) => this.destroy(err));
    this.socket = opts.secure ? tlsConnect({ host: opts.host, port: opts.port, ...tlsOptions(opts) }) : netConnect({ host: opts.host, port: opts.port });
    this.tcp = this.socket;
    this.attach(this.socket);
  }

  /** Connects and gets the session ready to send (TLS and AUTH done); rejects with an SmtpError. */
  static async open(opts: SessionOptions): Promise<SmtpSession> {
    const session = new SmtpSession(opts);
    try {
      await session.handshake();
      return session;
    } catch (err) {
      session.destroy();
      throw err;
    }
  }

  private attach(socket: Socket): void {
    socket.setNoDelay(true);
    socket.setTimeout(this.opts.timeoutMs);
    socket.on('data', this.reader.onData);
    socket.on('timeout', this.onTimeout);
    socket.on('error', this.onError);
    socket.on('close', this.onSocketClose);
  }

  private detach(socket: Socket): void {
    socket.off('data', this.reader.onData);
    socket.off('timeout', this.onTimeout);
    socket.off('error', this.onError);
    socket.off('close', this.onSocketClose);
    socket.setTimeout(0);
    // The TLS socket owns it now; a late error must not become an uncaught exception.
    socket.on('error', () => {});
  }

  private onTimeout = () => {
    // Idle in the pool: nobody waits, so just let the connection go.
    if (!this.reader.waiting()) this.close();
    else this.destroy(this.reader.timeoutError(this.socket.connecting));
  };

  private onError = (err: NodeJS.ErrnoException) => {
    // A TLS failure while setting up is a settings problem; later, a broken connection like any other.
    const tlsProblem = !this.ready && /certificate|self.signed|SSL|TLS|alert/i.test(`${err.code ?? ''} ${err.message}`);
    const what = tlsProblem ? tlsAdvice(err) : err.message;
    this.destroy(new SmtpError(`${this.where()}: ${what}`, tlsProblem ? 'ETLS' : 'ECONNECTION', this.reader.nextCommand() ?? 'CONN'));
  };

  private onSocketClose = () => {
    this.destroy(new SmtpError(`${this.where()}: the server closed the connection`, 'ECONNECTION', this.reader.nextCommand() ?? 'CONN'));
  };

  private where(): string {
    return `SMTP server ${this.opts.host}:${this.opts.port}`;
  }

  private async handshake(): Promise<void> {
    this.expectCode(await this.reader.expect('CONN'), 220);
    await this.hello();
    if (!this.opts.secure && (this.extensions.has('STARTTLS') || this.opts.requireTls)) {
      if (!this.extensions.has('STARTTLS')) {
        throw new SmtpError(
          `${this.where()} does not offer STARTTLS, and TLS is required (${this.opts.auth ? 'SMTP_URL has a login' : 'tls=required'}); use smtps:// or a server with STARTTLS`,
          'ETLS',
          'STARTTLS',
        );
      }
      this.expectCode(await this.command('STARTTLS', 'STARTTLS'), 220);
      await this.upgrade();
      await this.hello();
    }
    if (this.opts.auth) await authenticate((line, name) => this.command(line, name), this.extensions, this.opts.auth, this.where());
    this.ready = true;
  }

  private async hello(): Promise<void> {
    const name = this.opts.name ?? ehloName(this.socket.localAddress);
    let reply = await this.command(`EHLO ${name}`, 'EHLO');
    if (reply.code >= 500 && reply.code < 600) {
      // A server from before ESMTP: no extensions at all.
      reply = await this.command(`HELO ${name}`, 'HELO');
      this.expectCode(reply, 250);
      this.extensions = new Map();
      return;
    }
    this.expectCode(reply, 250);
    this.extensions = parseEhlo(reply);
    this.sizeLimit = Number(this.extensions.get('SIZE')) || 0;
  }

  private async upgrade(): Promise<void> {
    const plain = this.socket;
    this.detach(plain);
    this.socket = await startTls(plain, tlsOptions(this.opts), this.opts.timeoutMs, this.where());
    this.attach(this.socket);
  }

  private command(line: string, name: string): Promise<Reply> {
    const reply = this.reader.expect(name);
    this.socket.write(`${line}\r\n`);
    return reply;
  }

  private expectCode(reply: Reply, code: number): Reply {
    if (reply.code !== code) throw SmtpError.refused(reply, reply.command, 'EPROTOCOL');
    return reply;
  }

  /**
   * Sends one message; resolves with the server's final reply ("250 …"). `body` is the whole
   * message, CRLF line ends, already dot-stuffed: one buffer, or chunks written in order (strings
   * as ASCII), which go out in one writev without being copied together. Rejects with an
   * SmtpError whose dataSent says whether the server may have the message despite the failure.
   */
  async send(envelope: Envelope, body: MessageBody): Promise<string> {
    if (UNSAFE_ADDRESS.test(envelope.from) || UNSAFE_ADDRESS.test(envelope.to)) {
      throw new DeliveryError('an envelope address holds a space, a line break or <>', { permanent: true });
    }
    const chunks = Buffer.isBuffer(body) ? [body] : body;
    let size = 0;
    for (const c of chunks) size += c.length;
    if (this.sizeLimit && size > this.sizeLimit) {
      throw new DeliveryError(`the message (${size} bytes) is larger than the SMTP server accepts (SIZE ${this.sizeLimit})`, { permanent: true });
    }
    this.messages++;
    const mailLine = `MAIL FROM:<${envelope.from}>${this.extensions.has('SIZE') ? ` SIZE=${size}` : ''}\r\n`;
    const rcptLine = `RCPT TO:<${envelope.to}>\r\n`;
    let replies: (Reply | SmtpError)[];
    if (this.extensions.has('PIPELINING')) {
      const pending = [this.reader.expect('MAIL FROM'), this.reader.expect('RCPT TO'), this.reader.expect('DATA')].map((p) => p.catch(asError));
      this.socket.write(`${mailLine}${rcptLine}DATA\r\n`);
      replies = await Promise.all(pending);
    } else {
      replies = [];
      for (const [line, command] of [
        [mailLine.slice(0, -2), 'MAIL FROM'],
        [rcptLine.slice(0, -2), 'RCPT TO'],
        ['DATA', 'DATA'],
      ] as const) {
        const reply = await this.command(line, command).catch(asError);
        replies.push(reply);
        if (reply instanceof SmtpError || reply.code >= 400) break;
      }
    }
    // In order: a 421 to MAIL FROM explains the closed connection that RCPT TO then met.
    for (const reply of replies) {
      if (reply instanceof SmtpError) throw reply;
      if (reply.code === (reply.command === 'DATA' ? 354 : 250) || (reply.command === 'RCPT TO' && reply.code === 251)) continue;
      // 421: the server is closing this connection (RFC 5321 3.8).
      if (reply.code === 421) this.usable = false;
      await this.abandon(replies[2]);
      throw SmtpError.refused(reply, reply.command, reply.command === 'DATA' ? 'EMESSAGE' : 'EENVELOPE');
    }
    const final = this.reader.expect('DATA');
    this.socket.cork();
    for (const c of chunks) if (c.length) this.socket.write(c, 'latin1');
    this.socket.write(endsWithCrlf(chunks) ? END : CRLF_END);
    this.socket.uncork();
    let reply: Reply;
    try {
      reply = await final;
    } catch (err) {
      // The whole message is on its way: the server may have accepted it without our hearing so.
      if (err instanceof SmtpError) err.dataSent = true;
      throw err;
    }
    if (reply.code === 421) this.usable = false;
    if (reply.code !== 250) throw SmtpError.refused(reply, 'DATA', 'EMESSAGE');
    return reply.text;
  }

  /** After a refused envelope: end a data phase the server opened anyway, then RSET. */
  private async abandon(data: Reply | SmtpError | undefined): Promise<void> {
    if (data instanceof SmtpError || !this.usable) return;
    try {
      if (data?.code === 354) await this.command('.', 'DATA');
      if ((await this.command('RSET', 'RSET')).code !== 250) this.usable = false;
    } catch {
      this.usable = false;
    }
  }

  /** Ends the session politely (QUIT); does not wait for the server. */
  close(): void {
    if (this.closed) return;
    const polite = !this.socket.destroyed && !this.socket.connecting && this.socket.writable;
    this.finish(new SmtpError(`${this.where()}: the connection was closed`, 'ECONNECTION', 'CONN'));
    if (!polite) {
      this.socket.destroy();
      return;
    }
    this.socket.end('QUIT\r\n');
    // The socket goes once the server answers; one that never does is cut off.
    this.socket.setTimeout(this.opts.timeoutMs, () => this.socket.destroy());
  }

  destroy(err?: SmtpError): void {
    this.finish(err ?? new SmtpError(`${this.where()}: the connection was closed`, 'ECONNECTION', 'CONN'));
    this.socket.destroy();
  }

  private finish(err: SmtpError): void {
    this.usable = false;
    this.reader.failAll(err);
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }

  /** Kept alive only while a message is in flight: an idle pool never holds the process open. */
  ref(active: boolean): void {
    for (const s of this.socket === this.tcp ? [this.socket] : [this.socket, this.tcp]) {
      if (active) s.ref();
      else s.unref();
    }
  }
}

function endsWithCrlf(chunks: readonly (string | Buffer)[]): boolean {
  // The last two octets, wherever the chunks split them.
  const tail: number[] = [];
  for (let i = chunks.length - 1; i >= 0 && tail.length < 2; i--) {
    const c = chunks[i]!;
    for (let k = c.length - 1; k >= 0 && tail.length < 2; k--) tail.unshift(typeof c === 'string' ? c.charCodeAt(k) : c[k]!);
  }
  return tail[0] === 13 && tail[1] === 10;
}

const asError = (err: unknown): SmtpError => (err instanceof SmtpError ? err : new SmtpError(String(err), 'ECONNECTION', 'CONN'));

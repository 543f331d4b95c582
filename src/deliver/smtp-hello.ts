// Setting up an SMTP session, the parts that are plain functions: what EHLO offers, AUTH PLAIN or
// LOGIN, the EHLO name, and what to tell the operator when TLS fails. The password only ever
// goes into the AUTH lines themselves, never into an error.
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { hostname } from 'node:os';
import { type Reply, SmtpError } from './smtp-reply.js';

/** EHLO's keywords (upper case) and their parameters: PIPELINING, SIZE 35882577, AUTH PLAIN LOGIN … */
export function parseEhlo(reply: Reply): Map<string, string> {
  const extensions = new Map<string, string>();
  for (const line of reply.lines.slice(1)) {
    // "AUTH=LOGIN" is how some old servers spell it.
    const m = /^([A-Za-z0-9-]+)(?:[ =](.*))?$/.exec(line.trim());
    if (m) extensions.set(m[1]!.toUpperCase(), (m[2] ?? '').trim());
  }
  return extensions;
}

type Command = (line: string, name: string) => Promise<Reply>;

function expect(reply: Reply, code: number): void {
  if (reply.code !== code) throw SmtpError.refused(reply, reply.command, 'EAUTH');
}

/** AUTH PLAIN when offered, else LOGIN; a refusal is an EAUTH SmtpError carrying the server's reply. */
export async function authenticate(command: Command, extensions: Map<string, string>, auth: { user: string; pass: string }, where: string): Promise<void> {
  if (!extensions.has('AUTH')) {
    throw new SmtpError(`${where} offers no AUTH, but SMTP_URL has a login: remove it or use the server's submission port`, 'EAUTH', 'AUTH');
  }
  const offered = (extensions.get('AUTH') ?? '').toUpperCase().split(/\s+/).filter(Boolean);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  if (offered.includes('PLAIN')) {
    expect(await command(`AUTH PLAIN ${b64(`\0${auth.user}\0${auth.pass}`)}`, 'AUTH PLAIN'), 235);
  } else if (offered.includes('LOGIN')) {
    expect(await command('AUTH LOGIN', 'AUTH LOGIN'), 334);
    expect(await command(b64(auth.user), 'AUTH LOGIN'), 334);
    expect(await command(b64(auth.pass), 'AUTH LOGIN'), 235);
  } else {
    throw new SmtpError(`${where} offers AUTH ${offered.join(' ')}; Tidings speaks PLAIN and LOGIN`, 'EAUTH', 'AUTH');
  }
}

/** A TLS error as one line, with the way out when the certificate is the problem. */
export function tlsAdvice(err: Error): string {
  const cert = /certificate|self.signed|unable to verify|altname/i.test(err.message);
  return cert
    ? `${err.message} (the server's TLS certificate is not trusted; only for a relay you control, SMTP_TLS_REJECT_UNAUTHORIZED=false accepts it)`
    : err.message;
}

/** The EHLO argument: a fully qualified name, or the address literal RFC 5321 asks for otherwise. */
export function ehloName(localAddress: string | undefined): string {
  const name = hostname();
  if (/^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/.test(name)) return name;
  if (!localAddress) return '[127.0.0.1]';
  const v4 = localAddress.replace(/^::ffff:/, '');
  return isIP(v4) === 4 ? `[${v4}]` : `[IPv6:${localAddress}]`;
}

/** TLS settings for a session: certificates checked unless the operator said otherwise. */
export function tlsOptions(opts: { host: string; rejectUnauthorized: boolean; ca: string | Buffer | undefined }) {
  // SNI takes a host name only; an IP address is still checked against the certificate.
  const servername = isIP(opts.host) ? undefined : opts.host;
  return { servername, rejectUnauthorized: opts.rejectUnauthorized, ca: opts.ca, minVersion: 'TLSv1.2' as const };
}

/** STARTTLS's second half: the handshake over the plain socket, within the session's deadline. */
export function startTls(plain: Socket, options: ReturnType<typeof tlsOptions>, timeoutMs: number, where: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tlsConnect({ socket: plain, ...options });
    const failed = (err: Error) => reject(new SmtpError(`${where}: STARTTLS failed: ${tlsAdvice(err)}`, 'ETLS', 'STARTTLS'));
    secure.on('error', failed);
    secure.setTimeout(timeoutMs, () => failed(new Error('no TLS handshake in time')));
    secure.once('secureConnect', () => {
      secure.off('error', failed);
      secure.removeAllListeners('timeout');
      resolve(secure);
    });
  });
}

// The embedded default when no SMTP server is configured: every message becomes an .eml file,
// byte for byte what the SMTP channel would have sent (same builder, same DKIM signature), so
// `npm start` works offline and the output can be opened in any mail client or re-sent later.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DeliveryError, type EmailChannel, type EmailContent, type EmailDelivery, type SendOutcome } from './channel.js';
import type { DkimSigner } from './dkim.js';
import { buildMessage, messageBytes } from './mime.js';

export interface OutboxChannelOptions {
  /** Default: <TIDINGS_DATA_DIR>/outbox. */
  dir: string;
  dkim?: DkimSigner;
  now?: () => Date;
}

/** A file-name-safe form of the address's local part (the address itself is already validated). */
function safeLocalPart(address: string): string {
  const local = address.slice(0, address.lastIndexOf('@'));
  return (
    local
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 64) || 'recipient'
  );
}

/** Where outboxChannel writes a delivery: `<dir>/<digestId>/<deliveryId>-<local part>.eml`. */
export function outboxPath(dir: string, digestId: number, delivery: Pick<EmailDelivery, 'deliveryId' | 'to'>): string {
  return path.join(dir, String(digestId), `${delivery.deliveryId}-${safeLocalPart(delivery.to)}.eml`);
}

export function outboxChannel(opts: OutboxChannelOptions): EmailChannel {
  const dir = path.resolve(opts.dir);
  const now = opts.now ?? (() => new Date());
  const made = new Set<string>();

  return {
    name: 'email',
    async send(content: EmailContent, delivery: EmailDelivery): Promise<SendOutcome> {
      let raw: Buffer;
      try {
        const message = buildMessage(content, delivery, now());
        raw = messageBytes(message, opts.dkim ? [opts.dkim(message)] : []);
      } catch (err) {
        throw new DeliveryError(`message not built: ${(err as Error).message}`, { permanent: true, cause: err });
      }
      const file = outboxPath(dir, content.digestId, delivery);
      const folder = path.dirname(file);
      // A reader (or a crash) never sees half a file: write aside, then rename into place. A
      // resend after a crash replaces the file it may already have written.
      const temp = path.join(folder, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
      try {
        if (!made.has(folder)) {
          await mkdir(folder, { recursive: true });
          made.add(folder);
        }
        await writeFile(temp, raw);
        await rename(temp, file);
      } catch (err) {
        made.delete(folder);
        await rm(temp, { force: true }).catch(() => {});
        // A full disk or a permission problem is ours to fix, not the subscriber's.
        throw new DeliveryError(`outbox: cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
          permanent: false,
          cause: err,
        });
      }
      return { response: `written ${file}` };
    },
    async close() {},
  };
}

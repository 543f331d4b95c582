// POST /telegram/webhook: updates pushed by Telegram (TELEGRAM_MODE=webhook). Telegram sends the
// secret given to setWebhook in X-Telegram-Bot-Api-Secret-Token; it is checked in constant time
// before the body is even parsed: missing → 401, wrong → 403, and the bot never sees the update.
// Neither the header nor the secret is logged (the server logs no request headers).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from '../log.js';

export const WEBHOOK_PATH = '/telegram/webhook';
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';
// Updates are small; a photo or document arrives as file ids, never as bytes.
const BODY_LIMIT = 1024 * 1024;

export interface TelegramWebhookOptions {
  secret: string;
  /** Runs the update through the bot; resolves when it is handled (errors are its own to log). */
  handle: (update: unknown) => Promise<void>;
}

const text = (reply: FastifyReply, status: number, line: string) => reply.code(status).type('text/plain; charset=utf-8').send(`${line}\n`);

export function registerTelegramWebhook(app: FastifyInstance, opts: TelegramWebhookOptions & { log: Logger }): void {
  // MACs of equal length make the comparison constant-time whatever length is sent.
  const key = randomBytes(32);
  const mac = (s: string) => createHmac('sha256', key).update(s).digest();
  const expected = mac(opts.secret);

  void app.register(async (hook) => {
    hook.post(WEBHOOK_PATH, {
      bodyLimit: BODY_LIMIT,
      onRequest: async (request, reply) => {
        const given = request.headers[SECRET_HEADER];
        if (typeof given !== 'string' || given === '') return text(reply, 401, 'unauthorized: the X-Telegram-Bot-Api-Secret-Token header is missing');
        if (!timingSafeEqual(mac(given), expected)) {
          opts.log.warn({ ip: request.ip }, 'telegram webhook: wrong secret token');
          return text(reply, 403, 'forbidden: wrong X-Telegram-Bot-Api-Secret-Token');
        }
      },
      handler: async (request, reply) => {
        const update = request.body as { update_id?: unknown } | null;
        if (!update || typeof update !== 'object' || !Number.isSafeInteger(update.update_id)) return text(reply, 400, 'malformed: not a Telegram update');
        await opts.handle(update);
        return text(reply, 200, 'ok');
      },
    });
  });
}

// Incoming updates: a queue for getUpdates (long polling, offset confirmation, one poller at a
// time) or, once setWebhook ran, POSTs to the webhook with the secret header. The Bot API's
// rules: getUpdates while a webhook is set is a 409, as is a poll superseded by a newer one.
import { ApiError, badRequest, optBool, optInt, optJson, optStr, type Params } from './params.js';

export type Update = { update_id: number } & Record<string, unknown>;

export interface WebhookDelivery {
  update_id: number;
  /** HTTP status of the webhook's reply, or 'network' when it could not be reached. */
  status: number | 'network';
  body: string;
  /** The secret header that was sent (null: none). */
  secret: string | null;
}

interface Webhook {
  url: string;
  secret: string | null;
  maxConnections: number;
  allowedUpdates: string[] | undefined;
  lastError: { date: number; message: string } | undefined;
}

interface Poller {
  resolve: (updates: Update[]) => void;
  reject: (err: unknown) => void;
}

/** Runs a method the webhook's reply asked for (`{"method": …}` in the response body). */
export type ReplyRunner = (method: string, params: Params) => Promise<void>;

export class UpdateHub {
  private lastId = 0;
  /** Not yet confirmed by a getUpdates offset (polling) or not yet accepted by the webhook. */
  private pending: Update[] = [];
  private poller: Poller | null = null;
  webhook: Webhook | null = null;
  readonly deliveries: WebhookDelivery[] = [];

  constructor(private readonly runReply: ReplyRunner) {}

  /** Assigns the next update_id; with a webhook set, POSTs it and resolves after the reply. */
  async push(body: Record<string, unknown>): Promise<Update> {
    const update: Update = { ...body, update_id: ++this.lastId };
    this.pending.push(update);
    if (this.webhook) {
      const d = await this.post(update, this.webhook.secret);
      if (typeof d.status === 'number' && d.status >= 200 && d.status < 300) this.pending = this.pending.filter((u) => u !== update);
    } else {
      this.wake();
    }
    return update;
  }

  /** POSTs `update` to the webhook as is (again, or with another secret: null sends none). */
  async post(update: Update, secret: string | null): Promise<WebhookDelivery> {
    const hook = this.webhook;
    if (!hook) throw new Error('no webhook is set (the bot has not called setWebhook)');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
    let delivery: WebhookDelivery;
    try {
      const res = await fetch(hook.url, { method: 'POST', headers, body: JSON.stringify(update) });
      const text = await res.text();
      delivery = { update_id: update.update_id, status: res.status, body: text, secret };
      if (res.ok) await this.runReplyIn(text, res.headers.get('content-type'));
      else hook.lastError = { date: Math.floor(Date.now() / 1000), message: `Wrong response from the webhook: ${res.status} ${res.statusText}` };
    } catch (err) {
      delivery = { update_id: update.update_id, status: 'network', body: String(err), secret };
      hook.lastError = { date: Math.floor(Date.now() / 1000), message: 'Connection refused' };
    }
    this.deliveries.push(delivery);
    return delivery;
  }

  private async runReplyIn(text: string, type: string | null): Promise<void> {
    if (!type?.includes('application/json') || text.trim() === '') return;
    let reply: unknown;
    try {
      reply = JSON.parse(text);
    } catch {
      return;
    }
    if (reply && typeof reply === 'object' && typeof (reply as Params).method === 'string') {
      const { method, ...params } = reply as Params;
      await this.runReply(method as string, params);
    }
  }

  async getUpdates(p: Params, signal: AbortSignal): Promise<Update[]> {
    if (this.webhook) throw new ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = optInt(p, 'offset');
    const limit = optInt(p, 'limit') ?? 100;
    const timeout = optInt(p, 'timeout') ?? 0;
    if (limit < 1 || limit > 100) throw badRequest('limit must be between 1 and 100');
    if (offset !== undefined && offset < 0) this.pending = this.pending.slice(offset);
    else if (offset !== undefined) this.pending = this.pending.filter((u) => u.update_id >= offset);
    // A newer poll ends the older one, as on the real server.
    this.poller?.reject(new ApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
    this.poller = null;
    if (this.pending.length > 0 || timeout <= 0) return this.pending.slice(0, limit);
    const waited = await new Promise<Update[] | null>((resolve, reject) => {
      const timer = setTimeout(() => finish(null), Math.min(timeout, 50) * 1000);
      const finish = (v: Update[] | null) => {
        clearTimeout(timer);
        if (this.poller === me) this.poller = null;
        resolve(v);
      };
      const me: Poller = {
        resolve: finish,
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.poller = me;
      signal.addEventListener('abort', () => finish([]), { once: true });
    });
    return (waited ?? this.pending).slice(0, limit);
  }

  private wake(): void {
    const poller = this.poller;
    this.poller = null;
    poller?.resolve(this.pending.slice());
  }

  setWebhook(p: Params): true {
    const url = optStr(p, 'url') ?? '';
    if (url === '') return this.deleteWebhook(p);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
    }
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
    const secret = optStr(p, 'secret_token') ?? null;
    if (secret !== null && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw badRequest('secret token contains unallowed characters');
    const maxConnections = optInt(p, 'max_connections') ?? 40;
    if (maxConnections < 1 || maxConnections > 100) throw badRequest('bad webhook: max_connections must be between 1 and 100');
    const allowed = optJson(p, 'allowed_updates', "can't parse allowed_updates JSON object");
    if (optBool(p, 'drop_pending_updates')) this.pending = [];
    this.poller?.reject(new ApiError(409, 'Conflict: terminated by setWebhook request'));
    this.poller = null;
    this.webhook = { url, secret, maxConnections, allowedUpdates: Array.isArray(allowed) ? allowed : undefined, lastError: undefined };
    return true;
  }

  deleteWebhook(p: Params): true {
    if (optBool(p, 'drop_pending_updates')) this.pending = [];
    this.webhook = null;
    return true;
  }

  getWebhookInfo(): Record<string, unknown> {
    const h = this.webhook;
    const info: Record<string, unknown> = { url: h?.url ?? '', has_custom_certificate: false, pending_update_count: this.pending.length };
    if (h) {
      info.max_connections = h.maxConnections;
      if (h.allowedUpdates) info.allowed_updates = h.allowedUpdates;
      if (h.lastError) Object.assign(info, { last_error_date: h.lastError.date, last_error_message: h.lastError.message });
    }
    return info;
  }

  /** Ends a waiting poll with no updates (the emulator is closing). */
  close(): void {
    this.wake();
  }
}

// Request parameters as the Bot API reads them: a JSON body, a urlencoded body or the query
// string, where every value may arrive as a string ("123", "true", a JSON-encoded object) and is
// coerced the way Telegram does. A wrong or missing value is a 400 with Telegram's wording.
import type { IncomingMessage } from 'node:http';

/** An error reply: `{ ok: false, error_code: status, description, parameters? }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {
    super(description);
  }
}

export const badRequest = (what: string) => new ApiError(400, `Bad Request: ${what}`);

export type Params = Record<string, unknown>;

/** Merges the query string and the body; multipart bodies are not supported (400). */
export function readParams(req: IncomingMessage, body: Buffer, url: URL): Params {
  const params: Params = Object.fromEntries(url.searchParams);
  if (body.length === 0) return params;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw badRequest("can't parse JSON request body");
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('request body must be a JSON object');
    return { ...params, ...(parsed as Params) };
  }
  if (type === 'application/x-www-form-urlencoded') return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  if (type === 'multipart/form-data') throw badRequest('the emulator does not accept multipart/form-data; send photos as URLs');
  throw badRequest(`unsupported Content-Type "${type}"`);
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

export function optInt(p: Params, name: string): number | undefined {
  const v = p[name];
  if (!present(v)) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw badRequest(`invalid ${name} specified`);
  return n;
}

export function reqInt(p: Params, name: string, emptyMessage = `${name} is empty`): number {
  const n = optInt(p, name);
  if (n === undefined) throw badRequest(emptyMessage);
  return n;
}

export function optStr(p: Params, name: string): string | undefined {
  const v = p[name];
  if (!present(v)) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(`field "${name}" must be of type String`);
}

export function optBool(p: Params, name: string): boolean | undefined {
  const v = p[name];
  if (!present(v)) return undefined;
  if (v === true || v === 'true' || v === 1 || v === '1') return true;
  if (v === false || v === 'false' || v === 0 || v === '0') return false;
  throw badRequest(`field "${name}" must be of type Boolean`);
}

/** An object parameter, given as an object (JSON bodies) or as a JSON string (forms). */
export function optJson(p: Params, name: string, errorMessage: string): unknown {
  const v = p[name];
  if (!present(v)) return undefined;
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    throw badRequest(errorMessage);
  }
}

/** chat_id: an integer, a numeric string or "@username". */
export function chatIdParam(p: Params): number | string {
  const v = p.chat_id;
  if (!present(v)) throw badRequest('chat_id is empty');
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string') {
    const s = v.trim();
    if (/^-?\d+$/.test(s)) return Number(s);
    if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(s)) return s;
  }
  throw badRequest('chat not found');
}

/** The chat id a call is about, as a string, for the call log and per-chat scripts. */
export function chatKeyOf(p: Params): string | undefined {
  const v = p.chat_id;
  return typeof v === 'number' || (typeof v === 'string' && v.trim() !== '') ? String(v).trim() : undefined;
}

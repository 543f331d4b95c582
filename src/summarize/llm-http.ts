// One chat completion from an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp
// server all speak `POST {base}/chat/completions`), with a deadline per attempt and bounded
// retries. It never throws: every failure comes back as a reason, for the caller to fall back on.
//
// Retried: 429, 5xx and network errors (refused, reset), after Retry-After when the server sends
// one, else after an exponential backoff. Not retried: a timeout (a model that did not answer in
// `timeoutMs` will not answer faster on the next try, and retrying multiplies the wait of every
// article in the run), other 4xx (our request or key is wrong), and a reply we cannot read.
import { parseRetryAfter } from '../sources/fetch-errors.js';

export interface ChatRequest {
  model: string;
  messages: { role: 'system' | 'user'; content: string }[];
  max_tokens: number;
  temperature: number;
}

export interface ChatClientOptions {
  /** Full URL of the chat/completions endpoint. */
  endpoint: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
  fetch: typeof fetch;
  /** First backoff; doubles on every retry. */
  retryBaseMs: number;
  /** A Retry-After longer than this is not waited for: the call fails instead. */
  maxRetryAfterMs: number;
  sleep: (ms: number) => Promise<void>;
}

export type ChatResult =
  | { ok: true; content: string; totalTokens: number | undefined; attempts: number }
  | { ok: false; reason: string; attempts: number; status?: number };

type Attempt =
  | { ok: true; content: string; totalTokens: number | undefined }
  | { ok: false; reason: string; retry: boolean; retryAfterMs?: number; status?: number };

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause ? `${err.message} (${cause.code ?? cause.message})` : err.message;
}

async function attempt(request: ChatRequest, opts: ChatClientOptions): Promise<Attempt> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  let status: number | undefined;
  try {
    const res = await opts.fetch(opts.endpoint, { method: 'POST', headers, body: JSON.stringify(request), signal });
    status = res.status;
    // The body is read under the same deadline: a server may send headers and then stall.
    const body = await res.text();
    if (res.status === 429 || res.status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      return { ok: false, retry: true, status, reason: `HTTP ${status}`, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    }
    if (!res.ok) return { ok: false, retry: false, status, reason: `HTTP ${status}` };
    return readReply(body, status);
  } catch (err) {
    if (signal.aborted) return { ok: false, retry: false, reason: `no complete answer within ${opts.timeoutMs} ms`, ...(status !== undefined && { status }) };
    return { ok: false, retry: true, reason: `network error: ${describe(err)}` };
  }
}

function readReply(body: string, status: number): Attempt {
  let reply: unknown;
  try {
    reply = JSON.parse(body);
  } catch {
    return { ok: false, retry: false, status, reason: 'the reply is not JSON' };
  }
  const r = reply as { choices?: { message?: { content?: unknown } }[]; usage?: { total_tokens?: unknown } };
  const content = Array.isArray(r?.choices) ? r.choices[0]?.message?.content : undefined;
  if (typeof content !== 'string') return { ok: false, retry: false, status, reason: 'the reply has no choices[0].message.content string' };
  const total = r.usage?.total_tokens;
  return { ok: true, content, totalTokens: typeof total === 'number' && Number.isFinite(total) && total >= 0 ? total : undefined };
}

export async function chatCompletion(request: ChatRequest, opts: ChatClientOptions): Promise<ChatResult> {
  for (let n = 0; ; n++) {
    const result = await attempt(request, opts);
    const attempts = n + 1;
    if (result.ok) return { ...result, attempts };
    const { retry, retryAfterMs, reason, status } = result;
    const failed = { ok: false as const, attempts, ...(status !== undefined && { status }) };
    if (!retry) return { ...failed, reason };
    if (n >= opts.maxRetries) return { ...failed, reason: `${reason}, after ${attempts} attempts` };
    if (retryAfterMs !== undefined && retryAfterMs > opts.maxRetryAfterMs) {
      return { ...failed, reason: `${reason} with Retry-After ${Math.ceil(retryAfterMs / 1000)} s, longer than the ${opts.maxRetryAfterMs} ms we wait` };
    }
    await opts.sleep(retryAfterMs ?? opts.retryBaseMs * 2 ** n);
  }
}

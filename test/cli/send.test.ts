// `tidings send` as an admin runs it: refuses to send without the bulk-sender basics, builds the
// digest, mails every active subscriber once (SMTP sink or outbox), and resumes rather than repeats.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDirs } from '../support/temp-dirs.js';
import { ROOT, runCli } from '../support/cli.js';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.js';

const FEED = path.join(ROOT, 'examples', 'feeds', 'industry-news.xml');
const tempDir = tempDirs('send');

async function prepare(env: Record<string, string>): Promise<void> {
  for (const args of [
    ['newsletters', 'add', 'news', '--name', 'Industry News'],
    ['sources', 'add', FEED, '--kind', 'feed'],
    ['subscribers', 'add', 'ann@example.org', '--newsletter', 'news', '--name', 'Ann'],
    ['subscribers', 'add', 'bob@example.org', '--newsletter', 'news'],
    ['subscribers', 'add', 'cy@example.org', '--newsletter', 'news', '--pending'],
    ['ingest'],
  ]) {
    const r = await runCli(args, env);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
}

describe('tidings send', { timeout: 120_000 }, () => {
  let sink: SmtpSink;
  let env: Record<string, string>;
  beforeEach(async () => {
    sink = await startSmtpSink();
    const dir = tempDir();
    env = {
      TIDINGS_DATA_DIR: dir,
      LOG_LEVEL: 'warn',
      SMTP_URL: sink.url,
      MAIL_FROM: 'news@example.org',
      TIDINGS_POSTAL_ADDRESS: '12 Mill Street, Manchester',
      TIDINGS_PUBLIC_URL: 'https://news.example.org',
    };
  });
  afterEach(async () => {
    await sink.close();
  });

  it('refuses SMTP sending without a postal address and a public URL, naming both', async () => {
    const { TIDINGS_POSTAL_ADDRESS: _a, TIDINGS_PUBLIC_URL: _b, ...bare } = env;
    await runCli(['newsletters', 'add', 'news'], bare);
    const r = await runCli(['send', 'news'], bare);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TIDINGS_POSTAL_ADDRESS');
    expect(r.stderr).toContain('TIDINGS_PUBLIC_URL');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(sink.messages).toHaveLength(0);
  });

  it('mails each active subscriber once with the bulk-sender headers, then has nothing to repeat', async () => {
    await prepare(env);
    const first = await runCli(['send', 'news'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Digest 1 of Industry News: 2 recipients.');
    expect(first.stdout).toContain('Sent 2, failed 0');
    expect(sink.messages.map((m) => m.to).sort()).toEqual([['ann@example.org'], ['bob@example.org']]);
    for (const m of sink.messages) {
      const mail = m.parsed!;
      expect(mail.messageId).toMatch(/^<tidings\.d1\.s\d+\.email@news\.example\.org>$/);
      const raw = m.raw.toString('latin1');
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      expect(raw).toMatch(/^List-Id: .*<news\.news\.example\.org>\r$/m);
      const lu = raw.match(/^List-Unsubscribe: (.*)$/im)![1]!;
      expect(lu).toMatch(/^<https:\/\/news\.example\.org\/unsubscribe\?token=[A-Za-z0-9_.%-]+>/);
      expect(mail.html).toContain('12 Mill Street, Manchester');
      expect(mail.text).toContain('https://news.example.org/unsubscribe?token=');
    }
    expect(sink.to('ann@example.org')[0]!.parsed!.html).toContain('Ann');

    const again = await runCli(['send', 'news'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('No new digest for news');
    expect(again.stdout).toContain('Sent 0');
    expect(sink.messages).toHaveLength(2);
  });

  it('without SMTP_URL writes the same mails to the outbox', async () => {
    const { SMTP_URL: _s, ...offline } = env;
    await prepare(offline);
    const r = await runCli(['send', 'news', '--json'], offline);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { digest: { status: string; recipients: number }; progress: { sent: number } };
    expect(out).toMatchObject({ digest: { status: 'ready', recipients: 2 }, progress: { sent: 2 } });
    const outbox = path.join(offline.TIDINGS_DATA_DIR!, 'outbox');
    const files = readdirSync(outbox, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(2);
    const mails = await Promise.all(files.map((f) => simpleParser(readFileSync(path.join(outbox, f)))));
    expect(mails.map((m) => (m.to as { text: string }).text).sort()).toEqual(['"Ann" <ann@example.org>', 'bob@example.org'].sort());
    expect(sink.messages).toHaveLength(0);
  });
});

// `tidings summarize <file|->`: the summarizer on one text, outside the pipeline. Stores nothing
// and needs no database, so it is the quick way to see what a digest would say about a text, or
// to compare the LLM with the extractive summary (--extractive).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Summarizer, SummaryInput } from '../summarize/summarizer.js';
import { UsageError, action, loadCliConfig } from './context.js';
import { printJson } from './output.js';

/** The most sentences asked for; SUMMARY_SENTENCES has the same bound. */
const MAX_SENTENCES = 20;

interface SummarizeOptions {
  lang?: string;
  sentences?: string;
  extractive?: boolean;
  json?: boolean;
}

export function registerSummarize(program: Command): void {
  program
    .command('summarize')
    .description('Summarize a text file (or stdin) and print the summary sentences. Stores nothing.')
    .argument('<file|->', 'a UTF-8/GBK text file, a crawler text-dump file, or - to read stdin')
    .option('--lang <tag>', 'language of the text, e.g. en or zh (default: detected from the text)')
    .option('--sentences <n>', `sentences in the summary, 1 to ${MAX_SENTENCES} (default: SUMMARY_SENTENCES, 3)`)
    .option('--extractive', 'use the extractive summarizer even when LLM_BASE_URL is set')
    .option('--json', 'print {lang, method, sentences, summary} as JSON')
    .action(
      action(async (file: string, opts: SummarizeOptions) => {
        const sentences = opts.sentences === undefined ? undefined : parseSentences(opts.sentences);
        const [{ normalizeLangTag }, { extractiveSummarizer }] = await Promise.all([import('../ingest/lang.js'), import('../summarize/extractive.js')]);
        const forcedLang = opts.lang === undefined ? undefined : normalizeLangTag(opts.lang);
        if (opts.lang !== undefined && !forcedLang) throw new UsageError(`--lang must be a language tag such as en or zh, got "${opts.lang}"`);
        const config = await loadCliConfig();
        const input = await toInput(await readInput(file), file === '-' ? 'stdin' : file, forcedLang);
        let summarizer: Summarizer = extractiveSummarizer();
        if (config.summary.llm && !opts.extractive) {
          // Loaded only here: the extractive path needs none of the adapters.
          const [{ buildSummarizer }, { createLogger }] = await Promise.all([import('../deps.js'), import('../log.js')]);
          summarizer = buildSummarizer(config, createLogger({ level: config.logLevel ?? 'warn' }));
        }
        const summary = await summarizer.summarize(input, { sentences: sentences ?? config.summary.sentences });
        if (summary.sentences.length === 0) throw new UsageError(`${file === '-' ? 'stdin' : file} has no sentences to summarize (only boilerplate?)`);
        if (opts.json) printJson({ lang: input.lang, method: summary.method, sentences: summary.sentences, summary: summary.text });
        else process.stdout.write(`${summary.sentences.join('\n')}\n`);
      }),
    );
}

function parseSentences(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_SENTENCES) {
    throw new UsageError(`--sentences must be a whole number from 1 to ${MAX_SENTENCES}, got "${value}"`);
  }
  return n;
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : (code ?? (err as Error).message);
    throw new UsageError(`cannot read ${file}: ${why}`);
  }
}

/** A crawler text dump gives its title and body; anything else is all body, with no title. */
async function toInput(bytes: Buffer, name: string, forcedLang: string | undefined): Promise<SummaryInput> {
  const [{ chooseLang }, { decodeBody }, { parseTextDump }] = await Promise.all([
    import('../ingest/lang.js'),
    import('../sources/charset.js'),
    import('../sources/textdump.js'),
  ]);
  const raw = decodeBody(bytes).text;
  if (raw.trim() === '') throw new UsageError(`${name} is empty: nothing to summarize`);
  const dump = parseTextDump(raw, name);
  const { title, text } = 'error' in dump || !dump.contentText ? { title: '', text: raw.trim() } : { title: dump.title ?? '', text: dump.contentText };
  return { title, text, lang: chooseLang(`${title}\n${text}`, { ...(forcedLang && { forced: forcedLang }) }) };
}

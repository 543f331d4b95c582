// `npm run bench -- [name…] [--json]`: every figure beside its baseline, measured in the same run.
// With --json, stdout carries exactly one JSON object; the readable table goes to stderr.
import { cliStartBench } from './cli-start.js';
import { e2eBench } from './e2e.js';
import { extractionBench } from './extraction.js';
import type { Bench, Figures } from './harness.js';
import { ingestBench } from './ingest.js';
import { parseBench } from './parse.js';
import { renderBench } from './render.js';
import { sendRawBench } from './send-raw.js';
import { sendBench } from './send.js';
import { summarizeBench } from './summarize.js';
import { telegramBench } from './telegram.js';

const BENCHES: Bench[] = [cliStartBench, parseBench, extractionBench, ingestBench, summarizeBench, renderBench, sendBench, sendRawBench, telegramBench];
/** Run only when named: they take many minutes. */
const OPT_IN: Bench[] = [e2eBench];

function format(figures: Figures): string {
  const lines = ['figure           value            baseline                          ratio'];
  for (const [name, f] of Object.entries(figures)) {
    const value = `${round(f.value)} ${f.unit}`;
    const base = f.baseline ? `${f.baseline} ${f.baseline_value !== undefined ? round(f.baseline_value) : ''}` : '';
    const ratio = f.ratio !== undefined ? `${f.ratio}×` : '';
    const extras = Object.entries(f)
      .filter(([k]) => !['value', 'unit', 'baseline', 'baseline_value', 'ratio', 'higher_is_better'].includes(k))
      .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : String(v)}`)
      .join(' ');
    lines.push(`${name.padEnd(16)} ${value.padEnd(16)} ${base.padEnd(33)} ${ratio.padEnd(6)} ${extras}`);
  }
  return lines.join('\n');
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 100) / 100);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  // A bench that lists its figures matches only those; others match their name as a prefix.
  const matches = (b: Bench, n: string) => b.name === n || (b.figures ? b.figures.includes(n) : n.startsWith(`${b.name}_`));
  const all = [...BENCHES, ...OPT_IN];
  const unknown = names.filter((n) => !all.some((b) => matches(b, n)));
  if (unknown.length) {
    process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${all.map((b) => b.name).join(', ')}\n`);
    process.exit(2);
  }
  const selected = names.length ? all.filter((b) => names.some((n) => matches(b, n))) : BENCHES;
  if (!names.length) process.stderr.write(`not run unless named (several minutes each): ${OPT_IN.map((b) => `npm run bench -- ${b.name}`).join(', ')}\n`);
  const figures: Figures = {};
  for (const bench of selected) {
    process.stderr.write(`running ${bench.name}: ${bench.description}\n`);
    Object.assign(figures, await bench.run());
  }
  const out = json ? process.stderr : process.stdout;
  out.write(`\n${format(figures)}\n`);
  if (json) process.stdout.write(JSON.stringify(figures) + '\n');
}

await main();

// The `tidings` command tree. Building it loads no database or network code, so --help is quick
// and tests can inspect every command in-process.
import { Command } from 'commander';
import { VERSION } from '../config/version.js';
import { registerAdmin } from './admin.js';
import { registerArticles } from './articles.js';
import { registerIngest } from './ingest.js';
import { registerMisc } from './misc.js';
import { registerNewsletters } from './newsletters.js';
import { registerPreview } from './preview.js';
import { registerSend } from './send.js';
import { registerServe } from './serve.js';
import { registerSources } from './sources.js';
import { registerStart } from './start.js';
import { registerSubscribers } from './subscribers.js';
import { registerSummarize } from './summarize.js';
import { registerTelegram } from './telegram.js';

export function buildProgram(): Command {
  const program = new Command('tidings')
    .description('Newsletter digests from feeds, web pages and crawler dumps, by email and Telegram.')
    .version(VERSION)
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true);
  registerStart(program);
  registerIngest(program);
  registerSources(program);
  registerArticles(program);
  registerNewsletters(program);
  registerSubscribers(program);
  registerPreview(program);
  registerSend(program);
  registerServe(program);
  registerSummarize(program);
  registerTelegram(program);
  registerMisc(program);
  registerAdmin(program);
  return program;
}

// The CLI the tests run, compiled once per test run with esbuild (what tsx uses inside) instead
// of through tsx's loader at every start: tsx's off-thread hooks made each of the suite's
// hundreds of `tidings` processes spend about a second loading modules before doing anything.
// Same sources, same entry (src/cli/index.ts); one test still runs the real bin/tidings.js.
// The folder is two levels below the project, as src/<dir>/ is, so the sources' paths relative
// to import.meta.url (templates/, examples/) still resolve.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export default async function setup(): Promise<() => void> {
  const outdir = path.join(ROOT, '.tmp', `test-cli-${process.pid}`);
  await build({
    entryPoints: { tidings: path.join(ROOT, 'src/cli/index.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outdir,
    logLevel: 'error',
  });
  // Forked test workers inherit the environment: test/support/cli.ts reads it.
  process.env.TIDINGS_TEST_CLI = path.join(outdir, 'tidings.js');
  return () => rmSync(outdir, { recursive: true, force: true });
}

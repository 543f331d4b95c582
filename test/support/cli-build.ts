// The CLI the tests run, compiled once per test run with esbuild (what tsx uses inside) instead
// of through tsx's loader at every start: tsx's off-thread hooks made each of the suite's
// hundreds of `tidings` processes spend about a second loading modules before doing anything.
// Same sources, same entry (src/cli/index.ts); one test still runs the real bin/tidings.js.
// The folder is two levels below the project, as src/<dir>/ is, so the sources' paths relative
// to import.meta.url (templates/, examples/) still resolve.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Pure-ESM libraries of hundreds of files each, compiled in: Node's ESM loader resolving every
// one of their files at each start cost about 0.2 s per process. Everything else stays external.
const COMPILED_IN = new Set(['kysely', 'zod']);
const externals: Plugin = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0]!;
      return COMPILED_IN.has(name) ? undefined : { external: true };
    });
  },
};

export default async function setup(): Promise<() => void> {
  const outdir = path.join(ROOT, '.tmp', `test-cli-${process.pid}`);
  await build({
    entryPoints: { tidings: path.join(ROOT, 'src/cli/index.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [externals],
    outdir,
    logLevel: 'error',
  });
  // Forked test workers inherit the environment: test/support/cli.ts reads it.
  process.env.TIDINGS_TEST_CLI = path.join(outdir, 'tidings.js');
  return () => rmSync(outdir, { recursive: true, force: true });
}

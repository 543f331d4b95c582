// `tidings --help` (and every command before its action runs) loads only what src/cli/index.ts
// reaches through static imports. Those modules may import commander, node: built-ins, types and
// each other; everything else (config, store, core, deps…) is `await import()`ed inside the
// action that needs it. Loading undici, zod, kysely and the rest at start cost ~0.6 s a process.
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/build.mjs';

const ENTRY = 'src/cli/index.ts';
const ALLOWED = new Set(['commander']);

/** Every package reached by static imports from the entry, with the chain of files that reaches it. */
function staticPackages(meta: Metafile): Map<string, string[]> {
  const parent = new Map<string, string>();
  const found = new Map<string, string[]>();
  const chain = (file: string) => {
    const files = [file];
    while (parent.has(files[0]!)) files.unshift(parent.get(files[0]!)!);
    return files;
  };
  const seen = new Set<string>([ENTRY]);
  const queue = [ENTRY];
  while (queue.length) {
    const file = queue.shift()!;
    for (const imp of meta.inputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement') continue;
      if (imp.external) {
        const name = imp.path.startsWith('@') ? imp.path.split('/').slice(0, 2).join('/') : imp.path.split('/')[0]!;
        if (!name.startsWith('node:') && !found.has(name)) found.set(name, chain(file));
      } else if (!seen.has(imp.path)) {
        seen.add(imp.path);
        parent.set(imp.path, file);
        queue.push(imp.path);
      }
    }
  }
  return found;
}

describe('tidings --help', () => {
  it('reaches no package but commander through static imports', async () => {
    const r = await build({
      entryPoints: [path.join(ROOT, ENTRY)],
      absWorkingDir: ROOT,
      bundle: true,
      format: 'esm',
      platform: 'node',
      packages: 'external',
      metafile: true,
      write: false,
      outdir: path.join(ROOT, '.tmp', 'help-imports'),
      logLevel: 'silent',
    });
    const offending = [...staticPackages(r.metafile)].filter(([name]) => !ALLOWED.has(name)).map(([name, files]) => `${name} via ${files.join(' → ')}`);
    expect(offending).toEqual([]);
  });
});

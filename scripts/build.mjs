// Builds the CLI users run: src/cli/index.ts → dist/node/cli.js (and src/work/worker.ts →
// dist/node/worker.js beside it, where the worker pool looks for it), one esbuild bundle with
// code splitting, so `tidings --help` loads only the command tree and each command loads its
// heavy modules through the dynamic imports src/cli already uses.
// Plain JavaScript: `npm install` from a clone runs it (the `prepare` script) before anything
// could compile TypeScript. `node scripts/build.mjs [outdir]`; bin/tidings.js and the tests'
// globalSetup call build() directly.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/**
 * Two levels below the project, as src/<dir>/ is: the sources find templates/ and examples/
 * through `new URL('../../…', import.meta.url)`, which must resolve the same from the bundle.
 */
export const DIST = path.join(ROOT, 'dist', 'node');
/** Written last, so its presence means a complete build; bin/tidings.js compares sources against its mtime. */
export const STAMP = 'build-stamp';

// Pure-ESM libraries of hundreds of files each, compiled in: Node's ESM loader resolving every
// one of their files at each start cost about 0.2 s per process. Everything else stays a
// package import: native addons (better-sqlite3, pg-native), CommonJS packages (in an ESM
// bundle their require() of node: built-ins would fail; mjml also reads files beside itself),
// and packages each command loads lazily.
const COMPILED_IN = new Set(['kysely', 'zod']);
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return COMPILED_IN.has(name) ? undefined : { external: true };
    });
  },
};

/**
 * Builds into a fresh folder and then swaps it in, so a process starting meanwhile never loads
 * half of one build and half of another. `outdir` must also be two levels below the project.
 */
export async function build(outdir = DIST) {
  const { build: esbuild } = await import('esbuild');
  const entryPoints = { cli: path.join(ROOT, 'src/cli/index.ts') };
  // The worker pool's thread entry, when the sources have one.
  const worker = path.join(ROOT, 'src/work/worker.ts');
  if (existsSync(worker)) entryPoints.worker = worker;
  const staging = `${outdir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  await esbuild({
    entryPoints,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Error reports point at src/ with `node --enable-source-maps` (off by default: it costs start time).
    sourcemap: 'linked',
    sourcesContent: false,
    // Chunks stay beside the entries: two levels below the project, like src/<dir>/ (see DIST).
    plugins: [externals],
    outdir: staging,
    logLevel: 'error',
  });
  writeFileSync(path.join(staging, STAMP), `${new Date().toISOString()}\n`);
  mkdirSync(path.dirname(outdir), { recursive: true });
  // Two processes may rebuild at once (bin/tidings.js after an edit): either build will do.
  const old = `${outdir}.old-${process.pid}`;
  try {
    renameSync(outdir, old);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  try {
    renameSync(staging, outdir);
  } catch (err) {
    if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    rmSync(staging, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return outdir;
}

/** Newest modification time under src/ (files and folders, so a deleted file counts too); 0 without src/. */
export function newestSource(dir = path.join(ROOT, 'src')) {
  return newest(dir);
}

function newest(dir) {
  let max;
  try {
    max = statSync(dir).mtimeMs;
  } catch {
    return 0;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return max;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = await build(process.argv[2] ? path.resolve(process.argv[2]) : DIST);
  process.stdout.write(`built ${path.relative(process.cwd(), out) || out}\n`);
}

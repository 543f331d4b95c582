#!/usr/bin/env node
// The published entry point: runs the built CLI (dist/node/cli.js, made by scripts/build.mjs,
// which `npm install` runs as the `prepare` script), so a command starts in plain Node without
// compiling TypeScript.
// Whoever edits src/ must not silently run old code, so when a file or folder under src/ is
// newer than the build, the build is redone first (about a second, once). Checking costs a stat
// of each of src/'s ~270 entries, about 2 ms: less than any other way of knowing, and `npm start`,
// `npx tidings` and `node bin/tidings.js` all get it. An installed package without src/ skips it.
import { statSync } from 'node:fs';
import { DIST, STAMP, build, newestSource } from '../scripts/build.mjs';

function builtAt() {
  try {
    return statSync(`${DIST}/${STAMP}`).mtimeMs;
  } catch {
    return undefined;
  }
}

const built = builtAt();
if (built === undefined || newestSource() > built) {
  try {
    await build();
  } catch (err) {
    // esbuild's message starts "Build failed with 1 error:"; its first error says where.
    const first = err?.errors?.[0];
    const why = first ? `${first.location ? `${first.location.file}:${first.location.line}: ` : ''}${first.text}` : String(err?.message ?? err).split('\n')[0];
    const root = new URL('..', import.meta.url).pathname;
    process.stderr.write(
      built === undefined
        ? `tidings: no build in ${root}dist/, and building one failed (${why}); run \`npm install\` in ${root}\n`
        : `tidings: src/ changed since the last build, and rebuilding failed (${why}); fix that and run again\n`,
    );
    process.exit(1);
  }
}
await import('../dist/node/cli.js');

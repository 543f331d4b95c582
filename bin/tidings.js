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
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const what = built === undefined ? 'tidings is not built (dist/ is missing)' : 'src/ changed since the last build';
    process.stderr.write(`tidings: ${what} and building failed (${why}); run \`npm install\` in ${new URL('..', import.meta.url).pathname}\n`);
    process.exit(1);
  }
}
await import('../dist/node/cli.js');

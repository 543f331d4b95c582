// The CLI the tests run is built once per test run by scripts/build.mjs, the same build
// `npm install` makes for users (bin/tidings.js runs dist/node/cli.js), into a folder of this
// run's own: several test runs may share the working tree, and one must not swap the build out
// from under another. One test still runs the real bin/tidings.js.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, build } from '../../scripts/build.mjs';

export default async function setup(): Promise<() => void> {
  // Two levels below the project, as dist/node/ is (see scripts/build.mjs).
  const outdir = await build(path.join(ROOT, '.tmp', `test-cli-${process.pid}`));
  // Forked test workers inherit the environment: test/support/cli.ts reads it.
  process.env.TIDINGS_TEST_CLI = path.join(outdir, 'cli.js');
  return () => rmSync(outdir, { recursive: true, force: true });
}

// The external test material in ../shared/eval (conformance suites and reference data nobody
// here wrote). A developer without it gets the conformance tests skipped with a note; in CI
// (CI=true) a missing folder fails the run, since a silent skip would pass what was never checked.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when `path` (a file or folder of ../shared/eval) exists; with CI=true, throws when it does not. */
export function hasEval(path: string | URL): boolean {
  const file = typeof path === 'string' ? path : fileURLToPath(path);
  if (existsSync(file)) return true;
  if (process.env.CI === 'true') throw new Error(`${file} is missing: CI needs ../shared (eval, samples) beside the project; see ../shared/eval/README.md`);
  return false;
}

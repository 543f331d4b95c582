// The CoreError an operation is expected to fail with, for in-process core tests.
import { expect } from 'vitest';
import { CoreError } from '../../src/core/errors.js';

/** The one CoreError `promise` rejects with (fails the test if it resolves or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<CoreError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CoreError);
  return err as CoreError;
}

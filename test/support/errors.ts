/** The CredsError a call throws; anything else (or nothing) fails the test. */
import { CredsError } from '../../src/errors.js';

export function errorOf(fn: () => unknown): CredsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CredsError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

export async function caught(p: Promise<unknown>): Promise<CredsError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CredsError) return err;
    throw err;
  }
  throw new Error('expected a CredsError');
}

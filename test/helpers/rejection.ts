// Awaiting a promise that must reject, to assert on the error it rejects with.
import { expect } from 'vitest';

/** The error `promise` rejects with, which must be a `type`; fails naming the value when it resolves instead. */
export async function rejectionOf<E>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const error = await promise.then(
    (value: unknown) => {
      throw new Error(`expected a rejection with a ${type.name}, got ${JSON.stringify(value)}`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(type);
  return error as E;
}

// For tests of configuration checks: the ConfigError a call throws, to read its message.
import { expect } from 'vitest';
import { ConfigError } from '../load.js';

export function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

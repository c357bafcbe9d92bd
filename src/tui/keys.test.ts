import type { Key } from 'ink';
import { expect, it } from 'vitest';
import { splitInput } from './keys.js';

const key = (over: Partial<Key> = {}) => ({ ...splitInput('a', {} as Key)[0]?.key, ...over }) as Key;

it('a chunk of typed text becomes one key per character, Enter included', () => {
  const keys = splitInput('node4\r', key());
  expect(keys.map((k) => k.input)).toEqual(['n', 'o', 'd', 'e', '4', '']);
  expect(keys[5]?.key.return).toBe(true);
  expect(splitInput('jjG', key()).map((k) => [k.input, k.key.shift])).toEqual([
    ['j', false],
    ['j', false],
    ['G', true],
  ]);
});

it('single keys, control keys and escape sequences pass unchanged', () => {
  const k = key({ downArrow: true });
  expect(splitInput('', k)).toEqual([{ input: '', key: k }]);
  expect(splitInput('j', key())).toHaveLength(1);
  expect(splitInput('c', key({ ctrl: true }))).toEqual([{ input: 'c', key: key({ ctrl: true }) }]);
});

it('control keys inside a chunk stay control keys: Ctrl-Z, Ctrl-C; the rest of the C0 range is dropped', () => {
  const keys = splitInput('\u001A\u001C\u0003', key());
  expect(keys.map((k) => [k.input, k.key.ctrl])).toEqual([
    ['z', true],
    ['c', true],
  ]);
});

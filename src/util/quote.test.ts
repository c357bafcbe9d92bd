import { describe, expect, it } from 'vitest';
import { quote, safeJson, safeText } from './quote.js';

// Nothing a terminal would act on or that would hide text: C0/C1 controls, DEL, bidi and zero-width characters.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

describe('quote', () => {
  it.each([
    ['node2', '"node2"'],
    ['\u001b[2J\u001b[31mnode2', '"\\x1b[2J\\x1b[31mnode2"'],
    ['node2\u0000', '"node2\\x00"'],
    ['\u202enode2', '"\\u202enode2"'],
    ['a\u200bb', '"a\\u200bb"'],
    ['line\nbreak\r\ttab', '"line\\nbreak\\r\\ttab"'],
    ['csi\u009b31m', '"csi\\x9b31m"'],
    ['del\u007f', '"del\\x7f"'],
    ['say "hi" \\o/', '"say \\"hi\\" \\\\o/"'],
    ['узел2 节点二 nöde2 🖥️', '"узел2 节点二 nöde2 🖥️"'],
    ['', '""'],
  ])('%j → %s', (value, expected) => {
    expect(quote(value)).toBe(expected);
  });

  it('cuts a long value, saying how long it was', () => {
    expect(quote('a'.repeat(10_000))).toBe(`"${'a'.repeat(64)}…" (10000 characters)`);
    expect(quote('a'.repeat(64))).toBe(`"${'a'.repeat(64)}"`);
    expect(quote('🖥'.repeat(100), 10)).toBe(`"${'🖥'.repeat(5)}…" (100 characters)`);
    expect(quote('\u001b'.repeat(1000), 12)).toBe('"\\x1b\\x1b\\x1b…" (1000 characters)');
  });
});

describe('safeText', () => {
  it('escapes what a terminal acts on and leaves the rest, backslashes included', () => {
    expect(safeText("Can't connect to master daemon: /var/run/ganeti")).toBe(
      "Can't connect to master daemon: /var/run/ganeti",
    );
    expect(safeText('Node name \u001b]0;pwned\u0007 not found')).toBe('Node name \\x1b]0;pwned\\x07 not found');
    expect(safeText('two\nlines')).toBe('two\\nlines');
    expect(safeText('C:\\path \\x1b')).toBe('C:\\path \\x1b');
  });

  it('is idempotent', () => {
    const once = safeText(`\u202e${'x'.repeat(5000)} \u001b[0m`);
    expect(safeText(once)).toBe(once);
  });

  it('shortens long runs without spaces and bounds the whole', () => {
    expect(safeText(`no node "${'n'.repeat(10_000)}" in cluster small`)).toBe(
      `no node "${'n'.repeat(99)}… (10002 characters) in cluster small`,
    );
    const words = safeText('word '.repeat(10_000), 300);
    expect(words.length).toBeLessThan(330);
    expect(words).toMatch(/… \(50000 characters\)$/);
  });

  it('leaves no raw control, bidi or zero-width character in anything', () => {
    let all = '';
    for (let c = 0; c < 0x10000; c++) all += String.fromCharCode(c);
    expect(safeText(all, 1e6)).not.toMatch(RAW);
    expect(quote(all, 1e6)).not.toMatch(RAW);
  });
});

describe('safeJson', () => {
  it('the same JSON value, with nothing raw a terminal would act on', () => {
    const value = { name: '\u001b[2J\u009b31m\u202enode2\u200b\u{e0041}', list: ['a\u0007', 'узел2 🖥️'], n: 1 };
    for (const space of [undefined, 2]) {
      const text = safeJson(value, space);
      expect(JSON.parse(text)).toEqual(value);
      expect(text.replace(/\n/g, ''), 'nothing raw but the layout').not.toMatch(RAW);
      expect(text).not.toContain('\u{e0041}');
    }
    expect(safeJson({ a: '\u202e' })).toBe('{"a":"\\u202e"}');
    expect(safeJson({ a: 'plain', b: [1, 2] }, 2)).toBe(JSON.stringify({ a: 'plain', b: [1, 2] }, null, 2));
  });
});

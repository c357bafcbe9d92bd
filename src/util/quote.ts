// Text typed by users or sent by remote systems (Ganeti, BMCs), made safe to show on a terminal or in a log:
// characters a terminal acts on (ESC, CSI, BEL, CR…) or that hide and reorder text (bidi overrides,
// zero-width marks) are shown as visible escapes, and long values are cut, saying how long they were.
// Backslashes are left alone in free text, so text made safe once stays the same when made safe again.

/** Controls (C0, DEL, C1), format characters (bidi, zero-width, BOM…), line and paragraph separators, lone surrogates. */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0)!;
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/** The first characters of `text`, escaped, up to about `max` characters of output; and whether it was cut. */
function head(
  text: string,
  max: number,
  escape: (ch: string) => string,
): { out: string; cut: boolean; length: number } {
  let out = '';
  let length = 0;
  let cut = false;
  for (const ch of text) {
    if (out.length >= max) cut = true;
    else out += escape(ch);
    length++;
  }
  return { out, cut, length };
}

/**
 * A value inside a message, double-quoted: `"node2\x1b[2J"`, or for a long one `"nnnn…" (10000 characters)`.
 * Quotes and backslashes inside are escaped too, so the value reads unambiguously.
 */
export function quote(value: string, max = 64): string {
  const { out, cut, length } = head(value, max, (ch) =>
    ch === '"' || ch === '\\' ? `\\${ch}` : UNSAFE.test(ch) ? escapeChar(ch) : ch,
  );
  return cut ? `"${out}…" (${length} characters)` : `"${out}"`;
}

/**
 * Free text (a Ganeti message, ipmitool's output, a whole error line) with the unsafe characters escaped,
 * runs of more than `run` characters without a space shortened, and the whole cut after about `max` characters.
 */
export function safeText(text: string, max = 2000, run = 200): string {
  const shortened = text.replace(new RegExp(`\\S{${run + 1},}`, 'gu'), (long) => {
    const { out, length } = head(long, Math.floor(run / 2), (ch) => ch);
    return `${out}… (${length} characters)`;
  });
  const escaped = UNSAFE.test(shortened) ? shortened.replace(UNSAFE_ALL, escapeChar) : shortened;
  if (escaped.length <= max) return escaped;
  return `${Array.from(escaped).slice(0, max).join('')}… (${[...text].length} characters)`;
}

/** Not escaped by JSON.stringify, yet acted on (C1 controls such as CSI) or misleading (bidi, zero-width) on a terminal. */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * JSON.stringify, with the characters above written as \uXXXX escapes too: the same JSON value, printable on a
 * terminal. (They can only occur inside strings, where such an escape means the very same character.)
 */
export function safeJson(value: unknown, space?: number): string {
  const escape = (ch: string) =>
    Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
  return JSON.stringify(value, null, space).replace(JSON_UNSAFE, escape);
}

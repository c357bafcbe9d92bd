// Python-compatible text helpers: Ganeti's daemons are Python/Haskell, so its bodies and messages carry Python's
// json.dumps separators, repr() quoting and html.escape() entities. Reproducing them keeps byte counts and
// error strings identical to the real RAPI.

const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_ALL = /[\u007f-\uffff]/g;

/**
 * json.dumps(value) with Python's defaults: ", " and ": " separators, and ensure_ascii (every character outside
 * space..~ as lower-case \uXXXX). Built on JSON.stringify, whose output is then re-spaced outside strings.
 */
export function pyJson(value: unknown): string {
  const json = JSON.stringify(value) ?? 'null';
  let out = '';
  let last = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 44 || c === 58) {
      out += json.slice(last, i + 1) + ' ';
      last = i + 1;
    }
  }
  out += json.slice(last);
  return NON_ASCII.test(out)
    ? out.replace(NON_ASCII_ALL, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'))
    : out;
}

/** A pre-serialised JSON fragment that pyJson-built bodies can splice in unchanged. */
export function pyJsonArray(fragments: readonly string[]): string {
  return fragments.length === 0 ? '[]' : '[' + fragments.join(', ') + ']';
}

/** html.escape(text, quote=True), as Ganeti's HTTP server applies to error messages. */
export function htmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#x27;');
}

/** repr() of a Python str. */
export function pyRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const c of text) {
    if (c === '\\') out += '\\\\';
    else if (c === quote) out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c < ' ' || c === '\u007f') out += '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
    else out += c;
  }
  return quote + out + quote;
}

/** str() of a Python exception built with these arguments: one argument prints as itself, more as a tuple. */
export function pyExceptionStr(args: readonly string[]): string {
  if (args.length === 1) return args[0] ?? '';
  return '(' + args.map(pyRepr).join(', ') + ')';
}

/** type(value).__name__ for a decoded JSON value. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  return 'dict';
}

/** Natural ("nice") sort as Ganeti applies to name lists: digit runs compare numerically. */
export function niceCompare(a: string, b: string): number {
  const ra = a.split(/(\d+)/);
  const rb = b.split(/(\d+)/);
  const n = Math.min(ra.length, rb.length);
  for (let i = 0; i < n; i++) {
    const x = ra[i] ?? '';
    const y = rb[i] ?? '';
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

// Pure text helpers of the TUI: error views, sizes, filters, wrapping. No React here. Names, times and the
// operator come from the shared text (src/text/format.ts).

/** What a failure looks like on screen: what went wrong and what to do. */
export interface ErrorView {
  message: string;
  hint?: string;
}

/** Facade errors carry a hint (RapiError, StoreUnavailableError, PowerError); anything else shows its message only. */
export function errorView(err: unknown): ErrorView {
  if (err instanceof Error) {
    const hint = (err as Error & { hint?: unknown }).hint;
    return typeof hint === 'string' && hint !== '' ? { message: err.message, hint } : { message: err.message };
  }
  return { message: String(err) };
}

/** MiB as "12.5G" (GiB) or "512M". */
export function mib(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value >= 1024 ? `${(value / 1024).toFixed(value >= 10240 ? 0 : 1)}G` : `${value}M`;
}

/** Case-insensitive match of every whitespace-separated word of the filter. */
export function matches(filter: string, ...fields: (string | number | undefined | null)[]): boolean {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const hay = fields
    .filter((f) => f !== undefined && f !== null)
    .join(' ')
    .toLowerCase();
  return words.every((w) => hay.includes(w));
}

/** Keeps printable characters only: pasted text must not smuggle escape sequences into the screen. */
export function printable(input: string): string {
  return [...input].filter((c) => c >= ' ' && c !== '\u007f').join('');
}

/** Greedy word wrap to `width` columns; words longer than a line are cut into pieces. */
export function wrapText(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      let rest = word;
      while ([...rest].length > w) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push([...rest].slice(0, w).join(''));
        rest = [...rest].slice(w).join('');
      }
      if (!rest) continue;
      if (!line) line = rest;
      else if ([...line].length + 1 + [...rest].length <= w) line += ` ${rest}`;
      else {
        lines.push(line);
        line = rest;
      }
    }
    lines.push(line);
  }
  return lines;
}

// Pure text helpers for the TUI: ages, durations, error views. No React here.
import type { Operator } from '../jobs/types.js';

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

/** "4s", "3m", "2h", "5d": the largest unit, for age columns. */
export function age(iso: string | undefined, now: number = Date.now()): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** "850ms", "12.3s", "4m05s", "1h02m": for step timings. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Between two ISO times (the second defaulting to now). */
export function elapsed(from: string | undefined, to?: string, now: number = Date.now()): string {
  if (!from) return '-';
  const end = to ? Date.parse(to) : now;
  return duration(end - Date.parse(from));
}

/** "19:37:05" in UTC (the store's times are UTC; technicians on several sites read one clock). */
export function clock(iso: string | undefined): string {
  return iso && iso.length >= 19 ? iso.slice(11, 19) : '-';
}

/** "2026-11-24 19:37" UTC. */
export function stamp(iso: string | undefined): string {
  return iso && iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '-';
}

/** "alice@jump1" or "alice (10.0.0.7)". */
export function who(op: Operator): string {
  return op.from ? `${op.name} (${op.from})` : `${op.name}@${op.host}`;
}

/** MiB as "12.5G" (GiB) or "512M". */
export function mib(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return value >= 1024 ? `${(value / 1024).toFixed(value >= 10240 ? 0 : 1)}G` : `${value}M`;
}

/** node3.ams.example.org -> node3 */
export function short(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
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

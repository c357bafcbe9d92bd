// Shared text for people, used by both faces (CLI and TUI) and by the facade's messages: who acted, short node
// names, UTC timestamps, durations and ages. Each face picks the form that suits its room; every form is here.
import type { Operator } from '../jobs/types.js';

/** node3.ams.example.org → node3 (a name without a domain, or starting with a dot, is kept whole). */
export function short(name: string): string {
  const dot = name.indexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** "alice (ssh from 10.0.0.7)" or "alice (on jump1)": the facade's messages, lock owners, the audit's detail. */
export function describeOperator(op: Operator): string {
  const via = op.from ? `ssh from ${op.from}` : `on ${op.host}`;
  return `${op.name} (${via})`;
}

/** "alice@10.0.0.7" or "alice@jump1": a CLI table cell. */
export function operatorAt(op: Operator): string {
  return `${op.name}@${op.from ?? op.host}`;
}

/** "alice (10.0.0.7)" or "alice@jump1": a TUI column, where the address of an ssh login reads apart from a host. */
export function operatorName(op: Operator): string {
  return op.from ? `${op.name} (${op.from})` : `${op.name}@${op.host}`;
}

/** "19:37:05" in UTC (the store's times are UTC; technicians on several sites read one clock). */
export function clock(iso: string | undefined): string {
  return iso && iso.length >= 19 ? iso.slice(11, 19) : '-';
}

/** "2026-11-24 19:37" UTC, to the minute: a TUI column. */
export function utcMinute(iso: string | undefined): string {
  return iso && iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : '-';
}

/** "2026-11-24 19:37:05Z", to the second and marked UTC: CLI output, which may be pasted elsewhere. */
export function utcSecond(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z` : '-';
}

/** "850ms", "12.3s", "4m05s", "1h02m": step timings. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The duration between two ISO times (the second defaulting to now). */
export function elapsed(from: string | undefined, to?: string, now: number = Date.now()): string {
  if (!from) return '-';
  const end = to ? Date.parse(to) : now;
  return duration(end - Date.parse(from));
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

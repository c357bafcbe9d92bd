// Pieces both backends share: names, filtering and ordering, so they answer identically.
import type { AuditEntry, JobRecord, LockRecord } from '../jobs/types.js';

export type AuditFilter = { node?: string; cluster?: string; limit?: number };

export const DEFAULT_NAMESPACE = 'nodevac';

/** The namespace becomes part of Redis keys and of a directory name. */
export function checkNamespace(namespace: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(namespace)) {
    throw new Error(`store namespace "${namespace}" may only hold letters, digits, ".", "_" and "-"`);
  }
  return namespace;
}

/** The URL as it may be shown: a password is replaced by ***. */
export function maskRedisUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  if (u.searchParams.has('password')) u.searchParams.set('password', '***');
  return u.href;
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`lock ttl must be a positive integer of ms, got ${ttlMs}`);
}

/** `after` for events(): a whole number >= 0 (Redis would read a negative index from the end). */
export function eventsAfter(after: number): number {
  return Number.isFinite(after) ? Math.max(0, Math.trunc(after)) : 0;
}

/** Oldest first: the order jobs were created in. */
export function sortJobs(jobs: Array<JobRecord | undefined>): JobRecord[] {
  return jobs
    .filter((j): j is JobRecord => j !== undefined)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

export function sortLocks(locks: Array<LockRecord | undefined>): LockRecord[] {
  return locks.filter((l): l is LockRecord => l !== undefined).sort((a, b) => a.key.localeCompare(b.key));
}

/** Entries in append order (newest last), filtered, the newest `limit` of them. */
export function filterAudit(entries: AuditEntry[], filter: AuditFilter = {}): AuditEntry[] {
  const matching = entries.filter(
    (e) =>
      (filter.node === undefined || e.node === filter.node) &&
      (filter.cluster === undefined || e.cluster === filter.cluster),
  );
  return filter.limit === undefined ? matching : matching.slice(Math.max(0, matching.length - filter.limit));
}

/** Parses NDJSON/list entries; a torn line (crash in mid-write) is skipped rather than failing the read. */
export function parseEntries<T>(lines: Iterable<string>): T[] {
  const out: T[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // torn line
    }
  }
  return out;
}

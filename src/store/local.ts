// Local backend: a directory shared safely by several nodevac processes on one host.
//
// Layout under <dir>/<namespace>/:
//   jobs/<id>, steps/<id>     keyv values, one file per key (KeyvFile: atomic replace)
//   events/<job>/<seq>.json   one file per event; the name is the sequence number
//   locks/<key>/<gen>.json    lease generations; the highest one is the current state
//   audit.ndjson              append-only (O_APPEND), one JSON line per entry
//
// Atomicity comes from link(2), which never replaces an existing name: a complete, fsynced temp file
// is linked under the name it claims, and of several processes claiming the same name exactly one
// succeeds. An event claims seq n only after seeing n-1 exist, so sequences have no gaps or
// duplicates. A lease change (acquire, takeover of an expired lease, renew, release) claims generation
// g+1 after reading generation g, so every change is decided against the state it read (compare and
// set); nothing is ever locked, so a crashed process cannot leave a stale mutex behind.
import { mkdir, open, access } from 'node:fs/promises';
import { constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Keyv from 'keyv';
import { checkTtl, eventsAfter, filterAudit, parseEntries, sortJobs, sortLocks, type AuditFilter } from './common.js';
import {
  createExclusive,
  isErrno,
  keyToName,
  linkTemp,
  listNames,
  nameToKey,
  readIfExists,
  removeQuietly,
  writeTemp,
} from './fsutil.js';
import { KeyvFile } from './keyv-file.js';
import { type AuditEntry, type JobEvent, type JobRecord, type LockRecord, type StepRecord } from '../jobs/types.js';
import { StoreUnavailableError, type AcquireResult, type Store } from './types.js';

/** Bound for retry loops that only repeat when another process changed the same thing meanwhile. */
const MAX_RACES = 1000;

/** Content of a lease generation file: the lease, or null once released. */
interface LeaseFile {
  lock: LockRecord | null;
}

/** fs error codes that mean the directory cannot be used (as opposed to a bug or corrupt data). */
const UNUSABLE = ['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EIO', 'ELOOP', 'EEXIST'];

function numbered(names: string[]): number[] {
  const out: number[] = [];
  for (const n of names) {
    const m = /^(\d+)\.json$/.exec(n);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

async function highest(dir: string): Promise<number> {
  return Math.max(0, ...numbered(await listNames(dir)));
}

export class LocalStore implements Store {
  readonly backend = 'local' as const;
  readonly location: string;
  private readonly base: string;
  private readonly jobFiles: KeyvFile;
  private readonly jobs: Keyv<JobRecord>;
  private readonly steps: Keyv<StepRecord[]>;
  /** Last seq this process saw per job: the first guess for the next append. */
  private readonly lastSeq = new Map<string, number>();

  constructor(dir: string, namespace: string) {
    this.location = path.resolve(dir);
    this.base = path.join(this.location, namespace);
    this.jobFiles = new KeyvFile(path.join(this.base, 'jobs'));
    this.jobs = new Keyv<JobRecord>({
      store: this.jobFiles,
      namespace: 'jobs',
      useKeyPrefix: false,
      throwOnErrors: true,
    });
    this.steps = new Keyv<StepRecord[]>({
      store: new KeyvFile(path.join(this.base, 'steps')),
      namespace: 'steps',
      useKeyPrefix: false,
      throwOnErrors: true,
    });
  }

  /** Runs a file operation; a directory that cannot be used becomes StoreUnavailableError. */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (isErrno(err, ...UNUSABLE)) {
        throw new StoreUnavailableError(
          `local store ${this.location} is not usable: ${err.message}`,
          `make ${this.location} a directory writable by user ${os.userInfo().username}, or set store.dir in the config`,
        );
      }
      throw err;
    }
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.guard(() => this.jobs.get(id));
  }

  async putJob(job: JobRecord): Promise<void> {
    await this.guard(() => this.jobs.set(job.id, job));
  }

  listJobs(): Promise<JobRecord[]> {
    return this.guard(async () => {
      const ids = await this.jobFiles.keys();
      return sortJobs(ids.length ? await this.jobs.getMany(ids) : []);
    });
  }

  getSteps(jobId: string): Promise<StepRecord[]> {
    return this.guard(async () => (await this.steps.get(jobId)) ?? []);
  }

  async putSteps(jobId: string, steps: StepRecord[]): Promise<void> {
    await this.guard(() => this.steps.set(jobId, steps));
  }

  private eventDir(jobId: string): string {
    return path.join(this.base, 'events', keyToName(jobId));
  }

  appendEvent(event: Omit<JobEvent, 'seq'>): Promise<JobEvent> {
    return this.guard(async () => {
      const dir = this.eventDir(event.jobId);
      await mkdir(dir, { recursive: true });
      const tmp = await writeTemp(dir, JSON.stringify(event));
      try {
        let seq = (this.lastSeq.get(event.jobId) ?? (await highest(dir))) + 1;
        for (let race = 0; !(await linkTemp(tmp, path.join(dir, `${seq}.json`))); race++) {
          if (race >= MAX_RACES)
            throw new Error(`could not append an event to job ${event.jobId}: too much contention`);
          seq = Math.max(seq, await highest(dir)) + 1;
        }
        this.lastSeq.set(event.jobId, seq);
        return { ...event, seq };
      } finally {
        await removeQuietly(tmp);
      }
    });
  }

  events(jobId: string, after = 0): Promise<JobEvent[]> {
    return this.guard(async () => {
      const dir = this.eventDir(jobId);
      const out: JobEvent[] = [];
      // Event n exists before n+1 is claimed, so the first missing number is the end.
      for (let seq = eventsAfter(after) + 1; ; seq++) {
        const text = await readIfExists(path.join(dir, `${seq}.json`));
        if (text === undefined) return out;
        out.push({ ...(JSON.parse(text) as Omit<JobEvent, 'seq'>), seq });
      }
    });
  }

  private lockDir(key: string): string {
    return path.join(this.base, 'locks', keyToName(key));
  }

  /** The current lease generation, or undefined when the key was never locked. */
  private async current(dir: string): Promise<{ gen: number; lock: LockRecord | null } | undefined> {
    for (let race = 0; race < MAX_RACES; race++) {
      const gen = await highest(dir);
      if (gen === 0) return undefined;
      const text = await readIfExists(path.join(dir, `${gen}.json`));
      // Missing: a newer generation superseded it and it was pruned meanwhile; look again.
      if (text !== undefined) return { gen, lock: (JSON.parse(text) as LeaseFile).lock };
    }
    throw new Error(`lock ${nameToKey(path.basename(dir))} changes too fast to read`);
  }

  /** Compare and set: moves the lease from generation `from` to from+1; false when someone else did first. */
  private async advance(dir: string, from: number, lock: LockRecord | null): Promise<boolean> {
    const gen = from + 1;
    const content: LeaseFile = { lock };
    if (!(await createExclusive(path.join(dir, `${gen}.json`), JSON.stringify(content)))) return false;
    // Older generations are history nobody reads again.
    for (const old of numbered(await listNames(dir))) {
      if (old < gen) await removeQuietly(path.join(dir, `${old}.json`));
    }
    return true;
  }

  /**
   * Applies `decide` to the current lease until its change wins the compare and set. `decide` returns
   * the new lease (or null to release), or a final answer when no change is to be made.
   */
  private async change<T>(
    key: string,
    decide: (lock: LockRecord | null) => { next: LockRecord | null; result: T } | { result: T },
  ): Promise<T> {
    const dir = this.lockDir(key);
    await mkdir(dir, { recursive: true });
    for (let race = 0; race < MAX_RACES; race++) {
      const cur = await this.current(dir);
      const decision = decide(cur?.lock ?? null);
      if (!('next' in decision)) return decision.result;
      if (await this.advance(dir, cur?.gen ?? 0, decision.next)) return decision.result;
    }
    throw new Error(`lock ${key}: too much contention`);
  }

  async acquireLock(lock: Omit<LockRecord, 'expiresAt'>, ttlMs: number): Promise<AcquireResult> {
    checkTtl(ttlMs);
    return this.guard(async () => {
      // As in Redis: an expired lease is not handed to a new job while the job holding it still runs.
      const seen = (await this.current(this.lockDir(lock.key)))?.lock;
      const runs =
        seen && seen.jobId !== lock.jobId
          ? ['running', 'pending'].includes((await this.jobs.get(seen.jobId))?.state ?? '')
          : false;
      return this.change<AcquireResult>(lock.key, (held) => {
        const now = Date.now();
        if (held && held.expiresAt >= now) return { result: { acquired: false, holder: held } };
        if (held && runs && held.token === seen?.token) return { result: { acquired: false, holder: held } };
        const next: LockRecord = { ...lock, expiresAt: now + ttlMs };
        return { next, result: { acquired: true, lock: next } };
      });
    });
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    return this.guard(() =>
      this.change(key, (held) =>
        held?.token === token ? { next: { ...held, expiresAt: Date.now() + ttlMs }, result: true } : { result: false },
      ),
    );
  }

  releaseLock(key: string, token: string): Promise<boolean> {
    return this.guard(() =>
      this.change(key, (held) => (held?.token === token ? { next: null, result: true } : { result: false })),
    );
  }

  getLock(key: string): Promise<LockRecord | undefined> {
    return this.guard(async () => (await this.current(this.lockDir(key)))?.lock ?? undefined);
  }

  listLocks(): Promise<LockRecord[]> {
    return this.guard(async () => {
      const names = await listNames(path.join(this.base, 'locks'));
      return sortLocks(await Promise.all(names.map((n) => this.getLock(nameToKey(n)))));
    });
  }

  private get auditFile(): string {
    return path.join(this.base, 'audit.ndjson');
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.guard(async () => {
      await mkdir(this.base, { recursive: true });
      // O_APPEND: the kernel positions each write at the end, so lines of concurrent
      // processes never overwrite or interleave (one write(2) per line).
      const fh = await open(this.auditFile, 'a');
      try {
        const line = Buffer.from(`${JSON.stringify(entry)}\n`);
        const { bytesWritten } = await fh.write(line, 0, line.length);
        if (bytesWritten !== line.length) throw new Error(`short write to ${this.auditFile}`);
        await fh.datasync();
      } finally {
        await fh.close();
      }
    });
  }

  listAudit(filter?: AuditFilter): Promise<AuditEntry[]> {
    return this.guard(async () => {
      const text = (await readIfExists(this.auditFile)) ?? '';
      return filterAudit(parseEntries<AuditEntry>(text.split('\n')), filter);
    });
  }

  async ping(): Promise<void> {
    await this.guard(async () => {
      await mkdir(this.base, { recursive: true });
      await access(this.base, constants.R_OK | constants.W_OK | constants.X_OK);
    });
  }

  async close(): Promise<void> {
    // Nothing is held open between operations.
  }
}

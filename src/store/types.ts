// Shared state: jobs, their steps, events, node locks and the audit trail.
// Backends: Redis (several technicians, several jump boxes) or a local directory.
import type { AuditEntry, JobEvent, JobRecord, LockRecord, StepRecord } from '../jobs/types.js';

export type AcquireResult = { acquired: true; lock: LockRecord } | { acquired: false; holder: LockRecord };

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

export interface Store {
  readonly backend: 'redis' | 'local';
  /** A human description: "redis://127.0.0.1:6379/0" or the directory. Never holds a password. */
  readonly location: string;

  getJob(id: string): Promise<JobRecord | undefined>;
  /** Whole-record write; only the lock holder writes a running job. */
  putJob(job: JobRecord): Promise<void>;
  listJobs(): Promise<JobRecord[]>;

  getSteps(jobId: string): Promise<StepRecord[]>;
  putSteps(jobId: string, steps: StepRecord[]): Promise<void>;

  /** Appends atomically; returns the event with its sequence number (1, 2, ...). */
  appendEvent(event: Omit<JobEvent, 'seq'>): Promise<JobEvent>;
  /** Events with seq > after, in order. */
  events(jobId: string, after?: number): Promise<JobEvent[]>;

  /** Atomic: succeeds when the key is free or its lease expired. */
  acquireLock(lock: Omit<LockRecord, 'expiresAt'>, ttlMs: number): Promise<AcquireResult>;
  /** false when the token no longer holds the lock. */
  renewLock(key: string, token: string, ttlMs: number): Promise<boolean>;
  releaseLock(key: string, token: string): Promise<boolean>;
  getLock(key: string): Promise<LockRecord | undefined>;
  listLocks(): Promise<LockRecord[]>;

  appendAudit(entry: AuditEntry): Promise<void>;
  listAudit(filter?: { node?: string; cluster?: string; limit?: number }): Promise<AuditEntry[]>;

  /** Throws StoreUnavailableError when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Redis backend: shared by several technicians and jump boxes.
//
// Keys under the namespace prefix P:
//   P:jobs::<id>, P:steps::<id>   keyv values (@keyv/redis)
//   P:index:jobs, P:index:locks   sets of ids / lock keys (SADD, never a rewritten array)
//   P:events::<job>               list; RPUSH returns the new length, which is the event's seq
//   P:locks::<key>                hash {token, record, expiresAt}; changed only by Lua scripts
//   P:audit                       list, append-only (RPUSH)
//
// Lock scripts run atomically in Redis and take "now" from Redis' own clock (TIME), so jump boxes with
// skewed clocks agree on when a lease expired. Connection policy: no background reconnect loop and no
// offline queue; an operation connects on demand and is bounded by OP_TIMEOUT_MS as a whole, so an
// unreachable or hung Redis fails fast and a returning one is used again by the next operation.
import KeyvRedis, { createClient } from '@keyv/redis';
import Keyv from 'keyv';
import {
  checkTtl,
  eventsAfter,
  filterAudit,
  maskRedisUrl,
  parseEntries,
  sortJobs,
  sortLocks,
  type AuditFilter,
} from './common.js';
import { type AuditEntry, type JobEvent, type JobRecord, type LockRecord, type StepRecord } from '../jobs/types.js';
import { StoreUnavailableError, type AcquireResult, type Store } from './types.js';

/** Bound of one store operation, connecting included. */
const OP_TIMEOUT_MS = 5000;

// Expiry in epoch ms from Redis' clock. "%.0f": Lua 5.1 numbers are doubles.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: lock, index. ARGV: token, record (JSON without expiresAt), ttl, lock key. Returns {won, record, expiresAt}. */
const ACQUIRE = `${NOW}
local exp = redis.call('HGET', KEYS[1], 'expiresAt')
if exp and tonumber(exp) >= now then
  return {0, redis.call('HGET', KEYS[1], 'record'), exp}
end
local newExp = string.format('%.0f', now + tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'record', ARGV[2], 'expiresAt', newExp)
redis.call('SADD', KEYS[2], ARGV[4])
return {1, ARGV[2], newExp}`;

/** KEYS: lock. ARGV: token, ttl. Returns 1 when renewed. */
const RENEW = `if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
${NOW}
redis.call('HSET', KEYS[1], 'expiresAt', string.format('%.0f', now + tonumber(ARGV[2])))
return 1`;

/** KEYS: lock, index. ARGV: token, lock key. Returns 1 when released. */
const RELEASE = `if redis.call('HGET', KEYS[1], 'token') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
return 1`;

type Client = ReturnType<typeof createClient>;

/** Server replies that mean "cannot use this Redis now" rather than a bad command. */
const UNAVAILABLE_REPLY = /^(NOAUTH|WRONGPASS|NOPERM|LOADING|MISCONF|READONLY|MASTERDOWN|BUSY)\b/;
const AUTH_REPLY = /^(NOAUTH|WRONGPASS|NOPERM)\b/;

export class RedisStore implements Store {
  readonly backend = 'redis' as const;
  readonly location: string;
  private readonly hostPort: string;
  private readonly client: Client;
  private readonly jobs: Keyv<JobRecord>;
  private readonly steps: Keyv<StepRecord[]>;
  private readonly prefix: string;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(url: string, namespace: string) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // The URL is not echoed: it may hold a password.
    }
    if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol)) {
      throw new Error('store.redis is not a Redis URL: expected redis://[user:password@]host[:port][/db]');
    }
    this.location = maskRedisUrl(url);
    this.hostPort = `${parsed.hostname}:${parsed.port || '6379'}`;
    this.prefix = namespace;
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: OP_TIMEOUT_MS, reconnectStrategy: false },
    });
    // Failures reach callers through the rejected operation; the event only must not crash the process.
    this.client.on('error', () => {});
    const keyv = <V>(kind: string) =>
      new Keyv<V>({
        store: new KeyvRedis<V>(this.client, {
          namespace: `${namespace}:${kind}`,
          throwOnErrors: true,
          throwOnConnectError: true,
        }),
        namespace: `${namespace}:${kind}`,
        useKeyPrefix: false,
        throwOnErrors: true,
      });
    this.jobs = keyv<JobRecord>('jobs');
    this.steps = keyv<StepRecord[]>('steps');
  }

  private key(kind: string, id?: string): string {
    return id === undefined ? `${this.prefix}:${kind}` : `${this.prefix}:${kind}::${id}`;
  }

  private async connect(): Promise<void> {
    if (!this.client.isOpen) {
      // One attempt shared by concurrent callers; a failure leaves the client closed for the next try.
      this.connecting ??= this.client
        .connect()
        .then(() => undefined)
        .finally(() => (this.connecting = undefined));
    }
    await this.connecting;
  }

  /** A reply error to a command (a bug, e.g. WRONGTYPE) stays as it is; anything else means Redis is unusable. */
  private unavailable(err: unknown): Error {
    const message = err instanceof Error ? err.message || err.constructor.name : String(err);
    if (err instanceof Error && /^[A-Z]+ /.test(message) && !UNAVAILABLE_REPLY.test(message)) return err;
    const hint = AUTH_REPLY.test(message)
      ? `check the user and password in store.redis (Redis at ${this.hostPort} refused them)`
      : `is Redis running at ${this.hostPort}? start it or fix store.redis in the config`;
    return new StoreUnavailableError(`Redis store ${this.location} is unavailable: ${message}`, hint);
  }

  /**
   * Connects when needed, bounds the whole operation by OP_TIMEOUT_MS and turns connection trouble into
   * StoreUnavailableError. node-redis bounds neither a reply nor the handshake after TCP connect, so a
   * hung server would otherwise hang us; on timeout the connection is dropped (replies still owed on it
   * are useless) and the next operation connects afresh. A write that timed out may still have been
   * applied by Redis.
   */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error(`the store ${this.location} was closed`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${OP_TIMEOUT_MS} ms`));
        if (this.client.isOpen) this.client.destroy();
      }, OP_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.connect().then(fn), timeout]);
    } catch (err) {
      throw this.unavailable(err);
    } finally {
      clearTimeout(timer);
    }
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.run(() => this.jobs.get(id));
  }

  async putJob(job: JobRecord): Promise<void> {
    await this.run(async () => {
      // Index first: a crash in between leaves an id without record, which listJobs skips.
      await this.client.sAdd(this.key('index:jobs'), job.id);
      await this.jobs.set(job.id, job);
    });
  }

  listJobs(): Promise<JobRecord[]> {
    return this.run(async () => {
      const ids = await this.client.sMembers(this.key('index:jobs'));
      return sortJobs(ids.length ? await this.jobs.getMany(ids) : []);
    });
  }

  getSteps(jobId: string): Promise<StepRecord[]> {
    return this.run(async () => (await this.steps.get(jobId)) ?? []);
  }

  async putSteps(jobId: string, steps: StepRecord[]): Promise<void> {
    await this.run(() => this.steps.set(jobId, steps));
  }

  appendEvent(event: Omit<JobEvent, 'seq'>): Promise<JobEvent> {
    return this.run(async () => {
      const seq = await this.client.rPush(this.key('events', event.jobId), JSON.stringify(event));
      return { ...event, seq };
    });
  }

  events(jobId: string, after = 0): Promise<JobEvent[]> {
    const from = eventsAfter(after);
    return this.run(async () => {
      const items = await this.client.lRange(this.key('events', jobId), from, -1);
      return items.map((text, i) => ({ ...(JSON.parse(text) as Omit<JobEvent, 'seq'>), seq: from + 1 + i }));
    });
  }

  async acquireLock(lock: Omit<LockRecord, 'expiresAt'>, ttlMs: number): Promise<AcquireResult> {
    checkTtl(ttlMs);
    const reply = (await this.run(() =>
      this.client.eval(ACQUIRE, {
        keys: [this.key('locks', lock.key), this.key('index:locks')],
        arguments: [lock.token, JSON.stringify(lock), String(ttlMs), lock.key],
      }),
    )) as [number, string, string];
    const record: LockRecord = {
      ...(JSON.parse(reply[1]) as Omit<LockRecord, 'expiresAt'>),
      expiresAt: Number(reply[2]),
    };
    return reply[0] === 1 ? { acquired: true, lock: record } : { acquired: false, holder: record };
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const reply = await this.run(() =>
      this.client.eval(RENEW, { keys: [this.key('locks', key)], arguments: [token, String(ttlMs)] }),
    );
    return reply === 1;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    const reply = await this.run(() =>
      this.client.eval(RELEASE, { keys: [this.key('locks', key), this.key('index:locks')], arguments: [token, key] }),
    );
    return reply === 1;
  }

  private async readLock(key: string): Promise<LockRecord | undefined> {
    const [record, expiresAt] = await this.client.hmGet(this.key('locks', key), ['record', 'expiresAt']);
    if (record == null || expiresAt == null) return undefined;
    return { ...(JSON.parse(record) as Omit<LockRecord, 'expiresAt'>), expiresAt: Number(expiresAt) };
  }

  getLock(key: string): Promise<LockRecord | undefined> {
    return this.run(() => this.readLock(key));
  }

  listLocks(): Promise<LockRecord[]> {
    return this.run(async () => {
      const keys = await this.client.sMembers(this.key('index:locks'));
      return sortLocks(await Promise.all(keys.map((k) => this.readLock(k))));
    });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.run(() => this.client.rPush(this.key('audit'), JSON.stringify(entry)));
  }

  listAudit(filter?: AuditFilter): Promise<AuditEntry[]> {
    return this.run(async () => {
      const key = this.key('audit');
      // Without a node/cluster filter only the newest `limit` entries need to travel.
      const lines =
        filter?.node === undefined && filter?.cluster === undefined && filter?.limit !== undefined
          ? filter.limit > 0
            ? await this.client.lRange(key, -filter.limit, -1)
            : []
          : await this.client.lRange(key, 0, -1);
      return filterAudit(parseEntries<AuditEntry>(lines), filter);
    });
  }

  async ping(): Promise<void> {
    await this.run(() => this.client.ping());
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.client.isReady) await this.client.close();
    else if (this.client.isOpen) this.client.destroy();
  }
}

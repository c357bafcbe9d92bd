// Redis backend: shared by several technicians and jump boxes. One server by URL, or a Sentinel set.
//
// Keys under the namespace prefix P:
//   P:jobs::<id>, P:steps::<id>   keyv values (@keyv/redis)
//   P:index:jobs, P:index:locks   sets of ids / lock keys (SADD, never a rewritten array)
//   P:events::<job>               list; RPUSH returns the new length, which is the event's seq
//   P:locks::<key>                hash {token, record, expiresAt}; changed only by Lua scripts
//   P:audit                       list, append-only (RPUSH)
//   P:once::<uuid>                seq of an append already made (a retried append is not made twice)
//   P:term                        hash {runid, since}: the primary serving now, and since when (Redis' clock)
//
// Lock scripts run atomically in Redis and take "now" from Redis' own clock (TIME), so jump boxes with
// skewed clocks agree on when a lease expired.
//
// Failover (Sentinel): every write is confirmed on a replica (WAIT) before the call returns, when the primary
// has one, so what nodevac acted on survives a promotion. While no primary answers, calls wait (up to the
// failover budget) for the sentinels to promote one, then go on; a call cut off by the failover may be sent
// again by the pool, so every write is idempotent (whole records, appends keyed by a unique id, a lock attempt
// that finds its own token). A lease is not judged expired by a primary serving for less than one lease
// (P:term): its holder, stalled by the failover, gets a full lease to renew. And an expired lease is not handed
// to a new job while the job holding it is still running: that job is adopted or retried, never run beside.
//
// One server: no background reconnect loop and no offline queue; an operation connects on demand and is
// bounded by OP_TIMEOUT_MS as a whole, so an unreachable or hung Redis fails fast and a returning one is used
// again by the next operation.
import { randomUUID } from 'node:crypto';
import KeyvRedis from '@keyv/redis';
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
import { OP_TIMEOUT_MS, RedisConnection, type Commands, type RedisSettings, type Topology } from './redis-conn.js';
import { type AcquireResult, type Store } from './types.js';

// Expiry in epoch ms from Redis' clock. "%.0f": Lua 5.1 numbers are doubles.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// Since when this primary serves (KEYS[3] is P:term): a new run_id is a new primary, or a restarted one.
const TERM = `local runid = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
local term = redis.call('HMGET', KEYS[3], 'runid', 'since')
local since = tonumber(term[2])
if term[1] ~= runid or not since then
  -- A first primary (no term yet) gives no grace: only a change of primary stalls holders.
  since = term[1] and now or 0
  redis.call('HSET', KEYS[3], 'runid', runid, 'since', string.format('%.0f', since))
end`;

/**
 * KEYS: lock, index, term. ARGV: token, record (JSON without expiresAt), ttl, lock key, job id, jobs key prefix,
 * '1' for the grace after a change of primary (Sentinel: holders wait through a failover; one server's callers
 * give up at once instead). Returns {won, record, expiresAt}.
 */
const ACQUIRE = `${NOW}
${TERM}
local held = redis.call('HMGET', KEYS[1], 'token', 'record', 'expiresAt')
if held[1] and held[1] ~= ARGV[1] then
  local grace = ARGV[7] == '1' and since + tonumber(ARGV[3]) or 0
  if tonumber(held[3]) >= now or now < grace then return {0, held[2], held[3]} end
  local holder = cjson.decode(held[2])
  if holder.jobId ~= ARGV[5] then
    local raw = redis.call('GET', ARGV[6] .. holder.jobId)
    if raw then
      local ok, job = pcall(cjson.decode, raw)
      if ok and type(job) == 'table' and type(job.value) == 'table'
        and (job.value.state == 'running' or job.value.state == 'pending') then
        return {0, held[2], held[3]}
      end
    end
  end
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

/** KEYS: list, once key. ARGV: entry, seconds the once key lives. Returns the entry's position (1, 2, ...). */
const APPEND_ONCE = `local done = redis.call('GET', KEYS[2])
if done then return tonumber(done) end
local n = redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], n, 'EX', tonumber(ARGV[2]))
return n`;

/** How long a retried append is recognised: far beyond any failover. */
const ONCE_SECONDS = 3600;

export class RedisStore implements Store {
  readonly backend = 'redis' as const;
  readonly location: string;
  private readonly conn: RedisConnection;
  private jobs!: Keyv<JobRecord>;
  private steps!: Keyv<StepRecord[]>;
  private readonly prefix: string;
  private closed = false;

  constructor(settings: RedisSettings, namespace: string) {
    this.location = describe(settings);
    this.prefix = namespace;
    this.conn = new RedisConnection(settings, this.location, (client) => {
      const keyv = <V>(kind: string) =>
        new Keyv<V>({
          store: new KeyvRedis<V>(client, {
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
    });
  }

  private key(kind: string, id?: string): string {
    return id === undefined ? `${this.prefix}:${kind}` : `${this.prefix}:${kind}::${id}`;
  }

  /**
   * Connects when needed, bounds the whole operation and turns connection trouble into StoreUnavailableError.
   * One server: bounded by OP_TIMEOUT_MS (node-redis bounds neither a reply nor the handshake after TCP
   * connect, so a hung server would otherwise hang us); on timeout the connection is dropped and the next
   * operation connects afresh. Sentinel: bounded by the failover budget, the pool finding the new primary.
   * A write that timed out may still have been applied by Redis.
   */
  private async run<T>(fn: (c: Commands) => Promise<T>, write = false): Promise<T> {
    if (this.closed) throw new Error(`the store ${this.location} was closed`);
    const bound = this.conn.sentinelMode ? this.conn.failoverMs : OP_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    let over = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        over = true;
        reject(new Error(`no answer within ${bound} ms`));
        this.conn.drop();
      }, bound);
    });
    const op = async () => {
      for (;;) {
        try {
          const value = await fn(await this.conn.commands());
          if (write) await this.conn.confirm();
          return value;
        } catch (err) {
          // Sentinel: the pool gives up on a call after some rediscoveries; the failover budget decides instead.
          // Safe to send again: every write is idempotent (see the top of this file).
          if (!this.conn.sentinelMode || !this.conn.connectedOnce || over || this.closed || !this.conn.retryable(err))
            throw err;
          await new Promise((r) => setTimeout(r, 250));
        }
      }
    };
    try {
      return await Promise.race([op(), timeout]);
    } catch (err) {
      throw this.conn.unavailable(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The primary and the replicas it has, as `config check --connect` reports them. */
  topology(): Promise<Topology> {
    return this.run(() => this.conn.topology());
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.run(() => this.jobs.get(id));
  }

  async putJob(job: JobRecord): Promise<void> {
    await this.run(async (c) => {
      // Index first: a crash in between leaves an id without record, which listJobs skips.
      await c.sAdd(this.key('index:jobs'), job.id);
      await this.jobs.set(job.id, job);
    }, true);
  }

  listJobs(): Promise<JobRecord[]> {
    return this.run(async (c) => {
      const ids = await c.sMembers(this.key('index:jobs'));
      return sortJobs(ids.length ? await this.jobs.getMany(ids) : []);
    });
  }

  getSteps(jobId: string): Promise<StepRecord[]> {
    return this.run(async () => (await this.steps.get(jobId)) ?? []);
  }

  async putSteps(jobId: string, steps: StepRecord[]): Promise<void> {
    await this.run(() => this.steps.set(jobId, steps), true);
  }

  /** RPUSH that a retry (the pool resending it after a failover) does not repeat. */
  /**
   * Appends once however often `run` sends it again: the once-key is made here, outside the retries, so a
   * retried append finds the first one's mark instead of pushing a second copy.
   */
  private appendOnce(list: string, entry: string): (c: Commands) => Promise<number> {
    const once = this.key('once', randomUUID());
    return (c) =>
      c.eval(APPEND_ONCE, { keys: [list, once], arguments: [entry, String(ONCE_SECONDS)] }) as Promise<number>;
  }

  appendEvent(event: Omit<JobEvent, 'seq'>): Promise<JobEvent> {
    const append = this.appendOnce(this.key('events', event.jobId), JSON.stringify(event));
    return this.run(async (c) => ({ ...event, seq: await append(c) }), true);
  }

  events(jobId: string, after = 0): Promise<JobEvent[]> {
    const from = eventsAfter(after);
    return this.run(async (c) => {
      const items = await c.lRange(this.key('events', jobId), from, -1);
      return items.map((text, i) => ({ ...(JSON.parse(text) as Omit<JobEvent, 'seq'>), seq: from + 1 + i }));
    });
  }

  async acquireLock(lock: Omit<LockRecord, 'expiresAt'>, ttlMs: number): Promise<AcquireResult> {
    checkTtl(ttlMs);
    const reply = (await this.run(
      (c) =>
        c.eval(ACQUIRE, {
          keys: [this.key('locks', lock.key), this.key('index:locks'), this.key('term')],
          arguments: [
            lock.token,
            JSON.stringify(lock),
            String(ttlMs),
            lock.key,
            lock.jobId,
            this.key('jobs', ''),
            this.conn.sentinelMode ? '1' : '0',
          ],
        }),
      true,
    )) as [number, string, string];
    const record: LockRecord = {
      ...(JSON.parse(reply[1]) as Omit<LockRecord, 'expiresAt'>),
      expiresAt: Number(reply[2]),
    };
    return reply[0] === 1 ? { acquired: true, lock: record } : { acquired: false, holder: record };
  }

  async renewLock(key: string, token: string, ttlMs: number): Promise<boolean> {
    checkTtl(ttlMs);
    const reply = await this.run(
      (c) => c.eval(RENEW, { keys: [this.key('locks', key)], arguments: [token, String(ttlMs)] }),
      true,
    );
    return reply === 1;
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    const reply = await this.run(
      (c) => c.eval(RELEASE, { keys: [this.key('locks', key), this.key('index:locks')], arguments: [token, key] }),
      true,
    );
    return reply === 1;
  }

  private async readLock(c: Commands, key: string): Promise<LockRecord | undefined> {
    const [record, expiresAt] = await c.hmGet(this.key('locks', key), ['record', 'expiresAt']);
    if (record == null || expiresAt == null) return undefined;
    return { ...(JSON.parse(record) as Omit<LockRecord, 'expiresAt'>), expiresAt: Number(expiresAt) };
  }

  getLock(key: string): Promise<LockRecord | undefined> {
    return this.run((c) => this.readLock(c, key));
  }

  listLocks(): Promise<LockRecord[]> {
    return this.run(async (c) => {
      const keys = await c.sMembers(this.key('index:locks'));
      return sortLocks(await Promise.all(keys.map((k) => this.readLock(c, k))));
    });
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const line = JSON.stringify(entry);
    await this.run(this.appendOnce(this.key('audit'), line), true);
  }

  listAudit(filter?: AuditFilter): Promise<AuditEntry[]> {
    return this.run(async (c) => {
      const key = this.key('audit');
      // Without a node/cluster filter only the newest `limit` entries need to travel.
      const lines =
        filter?.node === undefined && filter?.cluster === undefined && filter?.limit !== undefined
          ? filter.limit > 0
            ? await c.lRange(key, -filter.limit, -1)
            : []
          : await c.lRange(key, 0, -1);
      return filterAudit(parseEntries<AuditEntry>(lines), filter);
    });
  }

  async ping(): Promise<void> {
    await this.run((c) => c.ping());
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.conn.close();
  }
}

/** What the store is called in messages; never a password. */
function describe(s: RedisSettings): string {
  if (s.sentinel)
    return `sentinel ${s.sentinel.masterName} via ${s.sentinel.sentinels.join(',')}${s.db ? ` db ${s.db}` : ''}`;
  let parsed: URL | undefined;
  try {
    parsed = new URL(s.url ?? '');
  } catch {
    // The URL is not echoed: it may hold a password.
  }
  if (!parsed || !['redis:', 'rediss:'].includes(parsed.protocol)) {
    throw new Error('store.redis is not a Redis URL: expected redis://[user:password@]host[:port][/db]');
  }
  return maskRedisUrl(s.url!);
}

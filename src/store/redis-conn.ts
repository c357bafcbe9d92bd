// The Redis connection behind the store: one server by URL, or the primary the sentinels name (@keyv/redis'
// Sentinel support, on @redis/client). Also: what a connection problem means to the technician, the topology
// for `config check --connect`, and how many replicas a write must reach before nodevac acts on it.
import { createClient, createSentinel } from '@keyv/redis';
import { StoreUnavailableError } from './types.js';

/** Everything needed to reach Redis; secrets already read (from the file or environment the config names). */
export interface RedisSettings {
  /** redis[s]://[user:password@]host[:port][/db], or undefined with `sentinel`. */
  url?: string;
  /** The primary the sentinels name; wins over `url`. */
  sentinel?: { sentinels: string[]; masterName: string; user?: string; password?: string };
  /** Redis ACL user and password. */
  user?: string;
  password?: string;
  /** PEM text of the CA that signed the server's certificate (rediss:// or TLS behind sentinels). */
  ca?: string;
  db?: number;
  /** Config fields named in hints: which field gave the password, the CA. */
  fields?: { password?: string; sentinelPassword?: string };
  /** How long an operation waits for the sentinels to promote a new primary (default 60 s). */
  failoverMs?: number;
}

export interface Topology {
  /** host:port of the primary. */
  primary: string;
  /** Replicas the primary (or the sentinels) report connected. */
  replicas: string[];
  /** Sentinels that answered (Sentinel form only). */
  sentinels?: string[];
}

/** Bound of one store operation, connecting included (one server). */
export const OP_TIMEOUT_MS = 5000;
/** A write counts as confirmed once a replica acknowledged it within this (WAIT's timeout). */
export const WAIT_MS = 2000;
const DEFAULT_FAILOVER_MS = 60_000;

/** Server replies that mean "cannot use this Redis now" rather than a bad command. */
const UNAVAILABLE_REPLY = /^(NOAUTH|WRONGPASS|NOPERM|LOADING|MISCONF|READONLY|MASTERDOWN|BUSY|NOREPLICAS)\b/;
const AUTH_REPLY = /^(NOAUTH|WRONGPASS|NOPERM)\b|WRONGPASS|invalid username-password|called without any password/;
const TLS_ERROR = /certificate|self.signed|SSL|TLS|unable to verify|wrong version number/i;

const newClient = (options: Parameters<typeof createClient>[0]) => createClient(options);
const newSentinel = (options: Parameters<typeof createSentinel>[0]) => createSentinel(options);
type Client = ReturnType<typeof newClient>;
type Sentinel = ReturnType<typeof newSentinel>;

/** The commands the store uses; the same on a client and on a sentinel-managed pool. */
export type Commands = Pick<Client, 'eval' | 'sAdd' | 'sMembers' | 'lRange' | 'hmGet' | 'ping'>;

export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(text);
  return { host: m?.[1] ?? text, port: m?.[2] ? Number(m[2]) : defaultPort };
}

type ClientOptions = NonNullable<Parameters<typeof createClient>[0]> & { socket: object };

/** A client (not yet connected) for one host:port, its errors left to the caller's awaits. */
function clientAt(hostPort: string, defaultPort: number, opts: ClientOptions) {
  const { host, port } = parseHostPort(hostPort, defaultPort);
  const client = newClient({ ...opts, socket: { ...opts.socket, host, port } } as ClientOptions);
  client.on('error', () => {});
  return { host, port, client };
}

function tlsSocket(ca: string | undefined) {
  return ca === undefined ? {} : { tls: true as const, ca };
}

/** Opens, uses and describes the Redis connection; knows nothing of nodevac's records. */
export class RedisConnection {
  readonly location: string;
  readonly sentinelMode: boolean;
  private client: Client | undefined;
  private sentinel: Sentinel | undefined;
  private connecting: Promise<void> | undefined;
  private replicas: { count: number; at: number } | undefined;
  private closing = false;
  /** Once connected, trouble is a failover to wait out; before, it is a configuration or an outage to report. */
  connectedOnce = false;

  constructor(
    private readonly s: RedisSettings,
    location: string,
    /** Called with each new connection (the keyv stores are built over it). */
    private readonly onConnect: (commands: Client | Sentinel) => void,
  ) {
    this.location = location;
    this.sentinelMode = s.sentinel !== undefined;
  }

  get failoverMs(): number {
    return this.s.failoverMs ?? DEFAULT_FAILOVER_MS;
  }

  private nodeOptions() {
    return {
      username: this.s.user,
      password: this.s.password,
      database: this.s.db,
      disableOfflineQueue: !this.sentinelMode,
      socket: { connectTimeout: OP_TIMEOUT_MS, reconnectStrategy: false as const, ...tlsSocket(this.s.ca) },
    };
  }

  private sentinelOptions() {
    const sen = this.s.sentinel!;
    return {
      username: sen.user,
      password: sen.password,
      // The sentinels take the same CA as the data nodes: a Sentinel set with TLS has it on every port
      // (tls-port on the sentinels, tls-replication between them and the servers).
      socket: { connectTimeout: OP_TIMEOUT_MS, reconnectStrategy: false as const, ...tlsSocket(this.s.ca) },
    };
  }

  /** The commands of the current connection, connecting when there is none. */
  async commands(): Promise<Commands> {
    await this.connect();
    return (this.sentinel ?? this.client) as unknown as Commands;
  }

  private async connect(): Promise<void> {
    // One attempt shared by concurrent callers (a client opening is open but not ready: they wait for it too);
    // a failure leaves nothing open for the next try.
    if (!this.connecting && !this.sentinel?.isOpen && !this.client?.isOpen) {
      this.connecting = (this.sentinelMode ? this.openSentinel() : this.openClient()).finally(
        () => (this.connecting = undefined),
      );
    }
    await this.connecting;
  }

  private async openClient(): Promise<void> {
    const client = newClient({ url: this.s.url, ...this.nodeOptions() });
    // Failures reach callers through the rejected operation; the event only must not crash the process.
    client.on('error', () => {});
    this.client = client;
    this.onConnect(client);
    await client.connect();
  }

  /**
   * The sentinels are asked first with a plain connection: a wrong sentinel password, an unknown master name or
   * a primary that refuses our credentials then fail at once with their own message (the Sentinel pool would
   * retry them for a while). A failed pool cannot be opened again: each attempt builds a new one.
   */
  private async openSentinel(): Promise<void> {
    // Sentinels that answer but name a primary that does not is a failover under way: wait for the promotion
    // as any call does. No sentinel answering, or a refusal (credentials, TLS, an unknown name), fails at once.
    const deadline = Date.now() + this.failoverMs;
    for (;;) {
      const { primary } = await this.topology();
      try {
        await this.probe(primary);
        break;
      } catch (err) {
        if (!this.retryable(err) || Date.now() > deadline || this.closing) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const sentinel = newSentinel({
      name: this.s.sentinel!.masterName,
      sentinelRootNodes: this.s.sentinel!.sentinels.map((s) => parseHostPort(s, 26379)),
      nodeClientOptions: this.nodeOptions(),
      sentinelClientOptions: this.sentinelOptions(),
      // One primary connection: a write and the WAIT confirming it travel on the same connection.
      masterPoolSize: 1,
    });
    sentinel.on('error', () => {});
    this.sentinel = sentinel;
    this.onConnect(sentinel);
    try {
      await sentinel.connect();
      this.connectedOnce = true;
    } catch (err) {
      this.sentinel = undefined;
      await sentinel.destroy().catch(() => undefined);
      throw err;
    }
  }

  /** Connects to one data node with our credentials and says PING; throws what went wrong. */
  private async probe(hostPort: string): Promise<void> {
    const { host, port, client } = clientAt(hostPort, 6379, this.nodeOptions());
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      throw new Error(`primary ${host}:${port}: ${(err as Error).message}`);
    } finally {
      if (client.isOpen) client.destroy();
    }
  }

  /** One command on every sentinel that answers: the first answer, and who answered; or the last error. */
  private async askSentinels<T>(
    fn: (c: Client) => Promise<T>,
  ): Promise<{ value: T; answered: string[] } | { error: unknown }> {
    let error: unknown = new Error('no sentinel answered');
    const answered: string[] = [];
    let value: { v: T } | undefined;
    for (const addr of this.s.sentinel!.sentinels) {
      const { host, port, client: c } = clientAt(addr, 26379, this.sentinelOptions());
      try {
        await c.connect();
        const v = await fn(c);
        answered.push(`${host}:${port}`);
        value ??= { v };
      } catch (err) {
        // Named, so the hint can tell a sentinel's refusal from the primary's.
        error = new Error(`sentinel ${host}:${port}: ${(err as Error).message}`);
        if (AUTH_REPLY.test((err as Error).message)) break;
      } finally {
        if (c.isOpen) c.destroy();
      }
    }
    return value ? { value: value.v, answered } : { error };
  }

  /** The primary and its replicas: from the sentinels, or from the one server's INFO replication. */
  async topology(): Promise<Topology> {
    if (!this.sentinelMode) {
      const info = String(await this.raw(['INFO', 'replication']));
      const u = new URL(this.s.url!);
      return { primary: `${u.hostname}:${u.port || '6379'}`, replicas: replicasFromInfo(info) };
    }
    const name = this.s.sentinel!.masterName;
    const reply = await this.askSentinels(async (c) => {
      const addr = (await c.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name])) as string[] | null;
      if (!addr) throw new Error(`the sentinels monitor no primary named "${name}" (check store.sentinel.masterName)`);
      const reps = (await c.sendCommand(['SENTINEL', 'REPLICAS', name])) as string[][];
      return { addr, reps };
    });
    if ('error' in reply) throw reply.error;
    const { addr, reps } = reply.value;
    const replicas = reps
      .map((r) => Object.fromEntries(r.flatMap((v, i) => (i % 2 ? [] : [[v, r[i + 1]]]))) as Record<string, string>)
      .filter((r) => !/s_down|o_down|disconnected/.test(r.flags ?? ''))
      .map((r) => `${r.ip}:${r.port}`);
    return { primary: `${addr[0]}:${addr[1]}`, replicas, sentinels: reply.answered };
  }

  /** A command outside the typed API (WAIT, INFO), on the primary. */
  async raw(args: string[]): Promise<unknown> {
    await this.connect();
    if (this.sentinel) return this.sentinel.sendCommand(false, args);
    return this.client!.sendCommand(args);
  }

  /**
   * Confirms the writes made so far on this connection on a replica, when the primary has one: a write only
   * the primary holds would vanish if a replica were promoted now. The replica count is read at most once a
   * second; a primary that lost its replicas (or a new one without any yet) costs one WAIT timeout to notice.
   */
  async confirm(): Promise<void> {
    if ((await this.replicaCount(false)) === 0) return;
    const acked = Number(await this.raw(['WAIT', '1', String(WAIT_MS)]));
    if (acked >= 1) return;
    if ((await this.replicaCount(true)) === 0) return;
    throw new Error(`NOREPLICAS the write was not confirmed by a replica within ${WAIT_MS} ms`);
  }

  private async replicaCount(fresh: boolean): Promise<number> {
    if (fresh || !this.replicas || Date.now() - this.replicas.at > 1000) {
      const info = String(await this.raw(['INFO', 'replication']));
      this.replicas = { count: replicasFromInfo(info).length, at: Date.now() };
    }
    return this.replicas.count;
  }

  /** Drops the connection after a timeout (one server only: the pool of a Sentinel set recovers by itself). */
  drop(): void {
    if (this.client?.isOpen) this.client.destroy();
  }

  /** Worth sending again once a primary answers: connection trouble or a failover's replies, not a refusal. */
  retryable(err: unknown): boolean {
    const message = err instanceof Error ? err.message : String(err);
    if (AUTH_REPLY.test(message) || TLS_ERROR.test(message) || /monitor no primary/.test(message)) return false;
    return !/^[A-Z]+ /.test(message) || UNAVAILABLE_REPLY.test(message);
  }

  /** A reply error to a command (a bug, e.g. WRONGTYPE) stays as it is; anything else means Redis is unusable. */
  unavailable(err: unknown): Error {
    const message = err instanceof Error ? err.message || err.constructor.name : String(err);
    if (err instanceof Error && /^[A-Z]+ /.test(message) && !UNAVAILABLE_REPLY.test(message)) return err;
    return new StoreUnavailableError(`Redis store ${this.location} is unavailable: ${message}`, this.hint(message));
  }

  private hint(message: string): string {
    const f = this.s.fields ?? {};
    const where = this.sentinelMode ? 'the primary the sentinels name' : `Redis at ${this.hostPort()}`;
    if (/^sentinel /.test(message) && AUTH_REPLY.test(message))
      return `check store.sentinel.sentinelUser and ${f.sentinelPassword ?? 'store.sentinel.sentinelPassword'} (the sentinels refused them)`;
    if (AUTH_REPLY.test(message))
      return f.password
        ? `check store.user and ${f.password} (${where} refused them)`
        : `check the user and password in store.redis (${where} refused them)`;
    if (TLS_ERROR.test(message)) {
      const who = /^sentinel /.test(message) ? 'sentinel' : 'server';
      if (this.s.ca !== undefined)
        return `check store.tls.ca: the ${who}'s certificate is not signed by that CA, or does not name the host`;
      return this.sentinelMode
        ? `the ${who} speaks TLS: give store.tls.ca`
        : 'the server speaks TLS: use rediss:// and give store.tls.ca';
    }
    // A TLS port closes a plain-text connection at once, which is all the client sees of it.
    if (this.s.ca === undefined && /^sentinel .*Socket closed unexpectedly/.test(message))
      return 'the sentinels closed the connection at once: if they speak TLS (tls-port), give store.tls.ca';
    if (/NOREPLICAS/.test(message))
      return 'a replica is connected but did not confirm the write: check the replica (INFO replication)';
    if (this.sentinelMode)
      return 'are the sentinels and a primary up? check store.sentinel.sentinels and masterName in the config';
    return `is Redis running at ${this.hostPort()}? start it or fix store.redis in the config`;
  }

  private hostPort(): string {
    const u = new URL(this.s.url!);
    return `${u.hostname}:${u.port || '6379'}`;
  }

  async close(): Promise<void> {
    this.closing = true;
    const { client, sentinel } = this;
    this.client = this.sentinel = undefined;
    if (sentinel) await sentinel.close().catch(() => sentinel.destroy());
    if (client?.isReady) await client.close();
    else if (client?.isOpen) client.destroy();
  }
}

function replicasFromInfo(info: string): string[] {
  return [...info.matchAll(/^slave\d+:ip=([^,]+),port=(\d+),state=online/gm)].map((m) => `${m[1]}:${m[2]}`);
}

// Fault injection: what can go wrong between nodevac and a cluster, on demand and reproducibly (seeded).
import { mulberry32 } from './behaviour.js';

export interface FaultSettings {
  /** Milliseconds added before every RAPI answer. */
  latencyMs: number;
  /** Share (0..1) of RAPI requests answered 502 or 504 (half each) instead of being handled. */
  errorRate: number;
  /** Share (0..1) of RAPI requests whose connection is destroyed without an answer. */
  dropRate: number;
  /** Share (0..1) of RAPI requests handled (a submission queues its job) whose answer is then lost: the connection is destroyed instead. */
  lostAnswerRate: number;
  /** Seed of the generator deciding which requests get errorRate/dropRate; setting it restarts the sequence. */
  seed: number;
  /** Instances whose migrations fail (child job error "Could not migrate instance …"). */
  failMigration: string[];
  /** Nodes that never come back after power on (the BMC says on; no ping, no node daemon). */
  neverBoot: string[];
  /**
   * Nodes whose BMC says off and on while the machine only freezes (no ping, no node daemon) and then resumes with
   * the same boot ID: a BMC driving something other than the node's power (the proof of reboot must catch it).
   */
  powerWithoutReboot: string[];
  /**
   * BMC hosts whose boot flags (IPMI boot option parameter 5) hold a persistent forced PXE boot, as a reinstall
   * leaves after `ipmitool chassis bootdev pxe options=persistent`.
   */
  forcedPxeBoot: string[];
  /** Job submissions answer 503 "Job queue is drained, cannot submit". */
  queueDrained: boolean;
  /** BMC hosts that do not answer. */
  unreachableBmcs: string[];
  /**
   * Nodes whose node daemon is stopped while the node runs: online but unreachable, so its instances show
   * ERROR_nodedown and RPCs to it fail (not the master's: its RAPI and luxid keep answering).
   */
  nodeDaemonDown: string[];
  /** HTTP faults (latency, errors, drops, drained queue) only on these clusters; null: on every cluster. */
  clusters: string[] | null;
  /** errorRate, dropRate and lostAnswerRate only for requests with these methods (e.g. the writes); null: every request. */
  methods: string[] | null;
}

export interface SimFaults {
  get(): FaultSettings;
  set(settings: Partial<FaultSettings>): void;
  clear(): void;
}

const NONE: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  dropRate: 0,
  lostAnswerRate: 0,
  seed: 1,
  failMigration: [],
  neverBoot: [],
  powerWithoutReboot: [],
  forcedPxeBoot: [],
  queueDrained: false,
  unreachableBmcs: [],
  nodeDaemonDown: [],
  clusters: null,
  methods: null,
};

export class FaultError extends Error {
  override readonly name = 'FaultError';
}

function checkSettings(s: Partial<FaultSettings>): void {
  const rate = (v: unknown, what: string) => {
    if (v !== undefined && (typeof v !== 'number' || !(v >= 0 && v <= 1)))
      throw new FaultError(`${what} must be a number from 0 to 1`);
  };
  rate(s.errorRate, 'errorRate');
  rate(s.dropRate, 'dropRate');
  rate(s.lostAnswerRate, 'lostAnswerRate');
  if (s.latencyMs !== undefined && (typeof s.latencyMs !== 'number' || !(s.latencyMs >= 0)))
    throw new FaultError('latencyMs must be a number >= 0');
  if (s.seed !== undefined && (typeof s.seed !== 'number' || !Number.isInteger(s.seed)))
    throw new FaultError('seed must be an integer');
  if (s.queueDrained !== undefined && typeof s.queueDrained !== 'boolean')
    throw new FaultError('queueDrained must be true or false');
  for (const key of [
    'failMigration',
    'neverBoot',
    'powerWithoutReboot',
    'forcedPxeBoot',
    'unreachableBmcs',
    'nodeDaemonDown',
  ] as const) {
    const v = s[key];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string')))
      throw new FaultError(`${key} must be a list of names`);
  }
  if (
    s.clusters !== undefined &&
    s.clusters !== null &&
    !(Array.isArray(s.clusters) && s.clusters.every((x) => typeof x === 'string'))
  ) {
    throw new FaultError('clusters must be null or a list of cluster names');
  }
  if (
    s.methods !== undefined &&
    s.methods !== null &&
    !(Array.isArray(s.methods) && s.methods.every((x) => typeof x === 'string'))
  ) {
    throw new FaultError('methods must be null or a list of HTTP methods');
  }
  const known = new Set(Object.keys(NONE));
  for (const key of Object.keys(s))
    if (!known.has(key)) throw new FaultError(`unknown fault setting ${JSON.stringify(key)}`);
}

export class FaultState implements SimFaults {
  current: FaultSettings = { ...NONE };
  private random = mulberry32(NONE.seed);
  /** Called after every change (the world applies the faults that alter its state). */
  onChange: (() => void) | null = null;

  get(): FaultSettings {
    return {
      ...this.current,
      failMigration: [...this.current.failMigration],
      neverBoot: [...this.current.neverBoot],
      powerWithoutReboot: [...this.current.powerWithoutReboot],
      forcedPxeBoot: [...this.current.forcedPxeBoot],
      unreachableBmcs: [...this.current.unreachableBmcs],
      nodeDaemonDown: [...this.current.nodeDaemonDown],
    };
  }

  set(settings: Partial<FaultSettings>): void {
    checkSettings(settings);
    this.current = { ...this.current, ...settings };
    if (settings.seed !== undefined) this.random = mulberry32(settings.seed);
    this.onChange?.();
  }

  clear(): void {
    this.current = { ...NONE };
    this.random = mulberry32(NONE.seed);
    this.onChange?.();
  }

  appliesTo(cluster: string): boolean {
    return this.current.clusters === null || this.current.clusters.includes(cluster);
  }

  /** What happens to one RAPI request of this cluster: answered normally, answered 502/504, dropped, or handled with its answer lost. */
  decide(cluster: string, method: string): 'ok' | 'drop' | 'lose' | 502 | 504 {
    if (!this.appliesTo(cluster)) return 'ok';
    // Other methods draw nothing, so the seeded sequence of the chosen ones does not depend on the reads around them.
    if (this.current.methods !== null && !this.current.methods.includes(method)) return 'ok';
    const { dropRate, errorRate, lostAnswerRate } = this.current;
    if (dropRate === 0 && errorRate === 0 && lostAnswerRate === 0) return 'ok';
    const r = this.random();
    if (r < dropRate) return 'drop';
    if (r < dropRate + errorRate) return this.random() < 0.5 ? 502 : 504;
    if (r < dropRate + errorRate + lostAnswerRate) return 'lose';
    return 'ok';
  }
}

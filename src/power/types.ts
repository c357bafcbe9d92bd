// Power and reachability: the interfaces the engine drives. Implemented by the
// ipmitool driver (ipmi.ts), the ping sweep (reach.ts) and the simulator's BMCs.
import type { BootFlags } from './bootflags.js';

export type PowerState = 'on' | 'off';
export type OffMode = 'soft' | 'hard';

export interface PowerDriver {
  /** Chassis power state as the BMC reports it. */
  status(bmc: string): Promise<PowerState>;
  on(bmc: string): Promise<void>;
  /** soft = ACPI shutdown request; hard = immediate off. Returns once the BMC accepted the command. */
  off(bmc: string, mode: OffMode): Promise<void>;
  /** The boot flags (IPMI boot option parameter 5): what the next power-on boots from. */
  bootFlags(bmc: string): Promise<BootFlags>;
}

export interface Reachability {
  /** true when the address answers ping within the configured timeout. */
  ping(address: string): Promise<boolean>;
  /** Bounded-concurrency sweep; the map holds every address asked for. */
  sweep(addresses: readonly string[]): Promise<Map<string, boolean>>;
}

export type PowerErrorKind =
  | 'no-bmc-tag' // the node has no ipmi:<bmc> tag
  | 'bad-bmc' // the BMC name is not a plain host name or IP (or the node's tags name several BMCs)
  | 'auth' // session could not be established with these credentials
  | 'unreachable' // BMC does not answer
  | 'unknown-host' // BMC name does not resolve
  | 'cipher' // cipher suite not supported by the BMC
  | 'missing-tool' // ipmitool not installed
  | 'timeout' // hard timeout of the call
  | 'refused' // the engine refuses (e.g. node not offline)
  | 'unexpected'; // anything else: output shown verbatim

export class PowerError extends Error {
  override readonly name = 'PowerError';
  constructor(
    readonly kind: PowerErrorKind,
    message: string,
    /** What the operator should check or do. */
    readonly hint: string,
    /** Raw tool output, for 'unexpected'. Never contains secrets. */
    readonly output?: string,
  ) {
    super(message);
  }
}

/** The ipmitool settings the driver needs (resolved from the configuration; the password already read). */
export interface IpmiSettings {
  user: string;
  /** Given to ipmitool only through the IPMI_PASSWORD environment of its own child process (-E). */
  password: string;
  interface: 'lanplus' | 'lan';
  cipherSuite: number;
  port: number;
  /** Hard limit per ipmitool call; the child is killed after it. */
  timeoutSeconds: number;
  /** ipmitool -R. At least 1 is passed: ipmitool reads -R 0 as "default" (4 retries, 20 s to give up). */
  retries: number;
  /**
   * ipmitool -N, seconds before the first retransmission (default 1). An unreachable BMC fails after about
   * N*R*(R+1) s with R = retries (measured with ipmitool 1.8.19: -R 1 -N 1 → 2 s, -R 2 → 6 s, -R 3 → 12 s).
   */
  retryIntervalSeconds?: number;
  /** Path or name of the ipmitool binary (tests put a fake one first on PATH). */
  command?: string;
}

export interface ReachSettings {
  timeoutSeconds: number;
  concurrency: number;
}

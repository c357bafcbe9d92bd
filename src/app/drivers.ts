// Where power and ping go. The host's drivers (ipmitool, ping) by default; whoever builds the app may inject others
// (`nodevac demo` and the tests inject the simulator's BMCs, src/sim/drivers.ts), so the facade knows no simulator.
import type { ClusterConfig, Config } from '../config/schema.js';
import { RapiError } from '../ganeti/errors.js';
import type { IpmitoolDriver } from '../power/ipmi.js';
import type { PowerDriver, Reachability } from '../power/types.js';

export interface BmcCredentials {
  user: string;
  /** Read only when a power action needs it. */
  password: () => string;
}

export interface Drivers {
  reach: Reachability;
  /** The BMC driver of one cluster. */
  power(cluster: ClusterConfig, credentials: BmcCredentials): PowerDriver;
}

/**
 * ipmitool and ping. Their modules load on first use: a command that never pings or powers anything does not pay
 * for them (zx alone is ~100 ms of imports).
 */
export function hostDrivers(config: Config): Drivers {
  let reach: Promise<Reachability> | undefined;
  const getReach = () =>
    (reach ??= import('../power/reach.js').then(
      (m) =>
        new m.PingReachability({ timeoutSeconds: config.reach.timeoutSeconds, concurrency: config.reach.concurrency }),
    ));
  return {
    reach: { ping: async (a) => (await getReach()).ping(a), sweep: async (a) => (await getReach()).sweep(a) },
    power: (cluster, credentials) => {
      const base = config.ipmi;
      const over = cluster.ipmi ?? {};
      let driver: IpmitoolDriver | undefined;
      const get = async () => {
        if (!base && !cluster.ipmi)
          throw new RapiError(
            'bad-request',
            cluster.name,
            'no "ipmi" section in the configuration',
            'add ipmi.user and its password to power nodes',
          );
        return (driver ??= new (await import('../power/ipmi.js')).IpmitoolDriver({
          user: credentials.user,
          password: credentials.password(),
          interface: over.interface ?? base?.interface ?? 'lanplus',
          cipherSuite: over.cipherSuite ?? base?.cipherSuite ?? 3,
          port: over.port ?? base?.port ?? 623,
          timeoutSeconds: base?.timeoutSeconds ?? 20,
          retries: base?.retries ?? 1,
          command: base?.command,
        }));
      };
      return lazyPower(get);
    },
  };
}

/** A power driver made on its first call. */
function lazyPower(get: () => Promise<PowerDriver>): PowerDriver {
  return {
    status: async (b) => (await get()).status(b),
    on: async (b) => (await get()).on(b),
    off: async (b, m) => (await get()).off(b, m),
    bootFlags: async (b) => (await get()).bootFlags(b),
  };
}

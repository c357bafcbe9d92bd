// The simulator's BMCs and ping, as the power and ping drivers of a nodevac app (`nodevac demo`, a configuration
// written by the standalone simulator, tests): whoever builds the app against a simulator passes these.
import type { PowerDriver, Reachability } from '../power/types.js';
import { SimPowerDriver, SimReachability } from './remote.js';

/** The "simulator" section of a configuration. */
export interface SimulatorSection {
  url: string;
  tls: { fingerprint?: string } | object;
}

export function simDrivers(sim: SimulatorSection | undefined): {
  reach: Reachability;
  power(cluster: unknown, credentials: { user: string; password: () => string }): PowerDriver;
} {
  if (!sim) throw new Error('the configuration has no "simulator" section to take power and ping from');
  const fingerprint = (sim.tls as { fingerprint?: string }).fingerprint;
  if (!fingerprint) throw new Error('simulator.tls must pin a fingerprint');
  return {
    reach: new SimReachability({ url: sim.url, fingerprint }),
    power: (_cluster, credentials) => {
      // Made on first use: the password is read only when a power action needs it.
      let driver: SimPowerDriver | undefined;
      const get = () =>
        (driver ??= new SimPowerDriver({
          url: sim.url,
          fingerprint,
          user: credentials.user,
          password: credentials.password(),
        }));
      return {
        status: async (b) => get().status(b),
        on: async (b) => get().on(b),
        off: async (b, m) => get().off(b, m),
        bootFlags: async (b) => get().bootFlags(b),
      };
    },
  };
}

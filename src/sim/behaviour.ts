// Production behaviours (issue #14) the simulator can model, each from Ganeti's own source. Off unless asked, so
// that tests see the plain world they were written against; `production: true` (what `nodevac demo` runs) turns
// them all on, and each can be set on its own through SimOptions.behaviour.

export interface SimBehaviour {
  /**
   * DRBD disk state per (instance, node): absent after the node powers off or boots, resyncing for resyncMs after
   * both sides are assembled again (activate-disks, startup, the watcher), then consistent; migrations and
   * failovers refused while the target's disks are degraded (instance_migration.py _ExecMigration,
   * _ExecFailover). Off: DRBD devices are always assembled and in sync.
   */
  drbd: boolean;
  /** How long a DRBD resync takes once both sides are assembled, ms (0: at once). */
  resyncMs: number;
  /**
   * Period of the simulated ganeti-watcher, ms (watcher/__init__.py: restarts ERROR_down instances, activates the
   * disks of instances whose secondary has a new boot ID). 0: no periodic run; world.watcher.tick() runs one.
   */
  watcherMs: number;
  /**
   * How long luxid's view of an instance's admin state lags a shutdown, ms. LUInstanceShutdown.Exec
   * (lib/cmdlib/instance_operation.py) marks the instance down (MarkInstanceDown) before it stops the VM, but luxid,
   * which answers the watcher's query (lib/watcher/__init__.py _GetGroupData), reloads config.data only on inotify,
   * at most every confdConfigReloadRatelimit = 250 ms (src/Ganeti/ConfigReader.hs, Constants.hs), while the VM's
   * state is read live from the hypervisor. A watcher run in that window sees admin up and not running: ERROR_down,
   * and _CheckInstances submits OpInstanceStartup ("Restarting instance"), which runs once the shutdown lets go of
   * the instance's lock (seen on the real lab: nodevac's shutdown job 155, the watcher's startup job 156).
   * 0: no lag.
   */
  configReloadMs: number;
  /**
   * The candidate pool picks substitutes at random, as MaintainCandidatePool does (config/__init__.py,
   * random.shuffle), from a generator seeded with `seed`; off: in name order.
   */
  randomCandidates: boolean;
  /** Seed of the random choices above, so that a run can be repeated. */
  seed: number;
}

export const PLAIN_BEHAVIOUR: SimBehaviour = {
  drbd: false,
  resyncMs: 3000,
  watcherMs: 0,
  configReloadMs: 0,
  randomCandidates: false,
  seed: 1,
};

/** What `nodevac demo` runs: Ganeti as production has it, with the watcher's 5-minute cron compressed. */
export const PRODUCTION_BEHAVIOUR: SimBehaviour = {
  drbd: true,
  resyncMs: 4000,
  watcherMs: 30_000,
  configReloadMs: 250,
  randomCandidates: true,
  seed: 1,
};

/** mulberry32: small, fast, good enough to spread choices evenly and reproducibly. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ganeti-watcher, as lib/watcher/__init__.py runs it from cron on the master: _CheckInstances restarts every
// ERROR_down instance (at most MAXTRIES attempts each, remembered in its notepad), and _CheckDisks activates the
// disks of the instances whose secondary node reports a new boot ID. Unlike the real one, which waits for each
// job (cli.SubmitOpCode), a tick submits them all at once: they queue behind each other's locks anyway.
import type { JobQueue } from './jobs.js';
import { nsNow } from './jobs.js';
import { OpInput, OPS, type OpDef } from './ops.js';
import type { SimCluster, SimInstance, SimNode, SimWorld } from './world.js';

const MAXTRIES = 5;

export interface WatcherRun {
  cluster: string;
  /** Instances it restarted (OP_INSTANCE_STARTUP) and whose disks it activated (OP_INSTANCE_ACTIVATE_DISKS). */
  restarted: string[];
  activated: string[];
  jobIds: number[];
}

export class Watcher {
  /** The notepad (watcher/state.py WatcherState): boot IDs seen and restart attempts, per cluster. */
  private readonly bootIds = new Map<SimNode, string>();
  private readonly attempts = new Map<SimInstance, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly world: SimWorld,
    private readonly queueOf: (cluster: SimCluster) => JobQueue,
  ) {
    // A watcher that has been running in cron: it knows the boot IDs of the nodes that answer now.
    for (const c of world.clusters) for (const n of c.nodes.values()) if (n.live) this.bootIds.set(n, n.bootId);
  }

  /** Runs every periodMs (0: never); tick() runs one at once. */
  start(periodMs: number): void {
    this.stop();
    if (periodMs <= 0) return;
    const again = () => {
      this.tick();
      this.timer = this.world.timers.set(again, periodMs);
    };
    this.timer = this.world.timers.set(again, periodMs);
  }

  stop(): void {
    this.world.timers.clear(this.timer);
    this.timer = undefined;
  }

  /** One watcher run on every cluster (or the named one) whose master answers. */
  tick(cluster?: string): WatcherRun[] {
    return this.world.clusters
      .filter((c) => (cluster === undefined || c.name === cluster) && c.master.daemonRunning)
      .map((c) => this.run(c));
  }

  private run(cluster: SimCluster): WatcherRun {
    const queue = this.queueOf(cluster);
    const out: WatcherRun = { cluster: cluster.name, restarted: [], activated: [], jobIds: [] };
    const submit = (def: OpDef, inst: SimInstance, why: string, extra = {}) => {
      const op = new OpInput(def, { instance_name: inst.name, ...extra });
      op.set('reason', [['gnt:watcher', why, nsNow()]]);
      out.jobIds.push(queue.submit(op).id);
    };
    // _CheckInstances
    const started = new Set<SimInstance>();
    const now = Date.now();
    for (const inst of cluster.instanceList()) {
      const n = this.attempts.get(inst) ?? 0;
      // _GetGroupData reads status through luxid, whose admin state can lag a shutdown (behaviour configReloadMs).
      if (inst.queriedStatus(now) !== 'ERROR_down') {
        if (n > 0) this.attempts.delete(inst);
        continue;
      }
      if (n > MAXTRIES) continue;
      this.attempts.set(inst, n + 1);
      if (n === MAXTRIES) continue; // "Could not restart instance … after 5 attempts, giving up"
      submit(OPS.OP_INSTANCE_STARTUP, inst, `Restarting instance ${inst.name}`, { force: false });
      out.restarted.push(inst.name);
      started.add(inst);
    }
    // _CheckDisks: nodes whose boot ID changed (a node that reports none, e.g. offline or down, is skipped).
    const changed = cluster.nodeList().filter((n) => n.live && this.bootIds.get(n) !== n.bootId);
    for (const node of changed) {
      for (const inst of cluster.configOrder(node.secondaries)) {
        if (!inst.disksActive || started.has(inst) || out.activated.includes(inst.name)) continue;
        submit(OPS.OP_INSTANCE_ACTIVATE_DISKS, inst, `Activating disks for instance ${inst.name}`);
        out.activated.push(inst.name);
      }
    }
    for (const node of changed) this.bootIds.set(node, node.bootId);
    return out;
  }
}

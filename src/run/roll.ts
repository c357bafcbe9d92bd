// The roll's parent job: runs the groups one after the other, each node by a child job (a reboot; for
// --poweroff-and-wait an evacuation with power-off, a person's `nodevac continue`, then a power-on with return).
// Before each group the groups are made again from live data (clustertool's lesson: instances and roles moved).
// Every decision is recorded in the parent's record before it is acted on (a child's id before the child exists),
// so another nodevac adopting the parent finds the children and adopts them too, never making them again.
// The parent holds only its own lock (cluster/roll); each child locks its node: they cannot deadlock.
import { randomBytes } from 'node:crypto';
import type { RapiClient } from '../ganeti/client.js';
import { followJob } from '../ganeti/follow.js';
import { JOB_FINAL, type RapiInstance, type RapiNode } from '../ganeti/types.js';
import { isFinal } from '../jobs/rules.js';
import type { JobEvent, JobRecord, Operator, RollNode } from '../jobs/types.js';
import { rollGroups, rollModel } from '../plan/roll-groups.js';
import type { Store } from '../store/types.js';
import { sleep } from '../util/sleep.js';
import { JobControl } from './control.js';
import { StepError, toStepError } from './errors.js';
import { Journal } from './journal.js';
import type { RunnerSettings } from './types.js';

/** The kind of job a roll starts for a node. */
export type ChildKind = 'reboot' | 'evacuate' | 'poweron';

/** What the facade does for the roll: plan a node's child and start it (driven like any job). */
export interface RollHost {
  /** Plans and starts the child with this id (parentJob set, the node's former role kept); its refusal otherwise. */
  startChild(parent: JobRecord, node: RollNode, kind: ChildKind, id: string): Promise<string | undefined>;
}

export interface RollDeps {
  store: Store;
  /** A client whose writes carry the parent's reason (its job id finds them again on adoption). */
  client: RapiClient;
  operator: Operator;
  settings: Pick<RunnerSettings, 'leaseMs' | 'pollMs'>;
  lockToken: string;
  host: RollHost;
  onEvent?: (event: JobEvent) => void;
}

/** How often a running child's record is read: its end is seen within this. */
const CHILD_POLL_MS = 100;

/** Why a roll stops before its last node. */
class RollStop extends Error {}

export class RollRunner {
  private readonly journal: Journal;
  private readonly control: JobControl;
  /** Nodes failed before this run, when a retry started it: --max-failed counts afresh. */
  private failedBefore = 0;

  constructor(
    private readonly job: JobRecord,
    private readonly deps: RollDeps,
  ) {
    this.journal = new Journal(job, deps.store, deps.onEvent);
    this.control = new JobControl(job, {
      store: deps.store,
      lockToken: deps.lockToken,
      leaseMs: deps.settings.leaseMs,
      // Running children finish: a cancel stops the roll before the next group, not the nodes out now.
      onCancel: () => undefined,
    });
  }

  get id(): string {
    return this.job.id;
  }

  async run(): Promise<JobRecord> {
    await this.journal.loadSteps();
    await this.control.start();
    try {
      return await this.roll();
    } finally {
      this.control.stopHeartbeat();
    }
  }

  /** As JobRunner.detach: nothing more is started or written here, the lock is released for adoption. */
  async detach(): Promise<void> {
    this.control.stop(new StepError('detached', 'lease-lost'));
    this.control.stopHeartbeat();
    this.journal.detach();
    await this.control.release().catch(() => false);
  }

  private get r() {
    return this.job.roll!;
  }

  private async roll(): Promise<JobRecord> {
    const { operator } = this.deps;
    const retried = this.job.state === 'pending';
    await this.journal.setJob({ state: 'running', error: undefined, result: undefined });
    await this.journal.emit(
      'job',
      `roll of ${this.job.cluster} running (driven by ${operator.name} on ${operator.host})`,
      {
        state: 'running',
      },
    );
    // A retried roll (pending with nodes already handled) takes up the nodes an earlier stop left untouched.
    if (retried) this.failedBefore = this.failedNodes();
    for (const n of this.r.nodes)
      if (n.state === 'untouched') Object.assign(n, { state: 'waiting', reason: undefined });
    try {
      for (;;) {
        const active = this.r.nodes.filter((n) => n.state === 'running' || n.state === 'awaiting-confirmation');
        if (active.length) {
          // A group under way (resumed by an adopter): its children are found, not made again.
          await Promise.all(active.map((n) => this.runNode(n)));
          await this.save({ group: this.r.group + 1 });
          continue;
        }
        await this.control.checkpoint();
        const failed = this.failedNodes() - this.failedBefore;
        if (failed >= this.r.maxFailed)
          throw new RollStop(`the roll stopped after ${failed} failed node(s) (--max-failed ${this.r.maxFailed})`);
        if (!this.r.nodes.some((n) => n.state === 'waiting')) break;
        await this.nextGroup();
      }
      return await this.finish();
    } catch (err) {
      if (err instanceof RollStop) return this.finish(err.message);
      const failure = toStepError(err, this.control.stopped);
      if (failure.reason === 'lease-lost') return this.job;
      if (failure.reason === 'cancelled') return this.finish(`cancelled by request`, 'cancelled');
      return this.finish(`the roll stopped: ${failure.message}`);
    }
  }

  /** Plans the groups again from live data and runs the first. */
  private async nextGroup(): Promise<void> {
    const { nodes, instances, master } = await this.read();
    const waiting = this.r.nodes.filter((n) => n.state === 'waiting');
    const live = new Map(nodes.map((n) => [n.name, n]));
    for (const n of waiting) {
      const node = live.get(n.node);
      if (node && n.role === undefined)
        n.role = node.drained ? 'drained' : node.master_candidate ? 'master-candidate' : 'regular';
    }
    const planned = rollGroups({
      ...rollModel(nodes, instances, master),
      candidates: waiting.map((n) => n.node),
      maxParallel: this.r.maxParallel,
    });
    if (!planned.ok) throw new RollStop(`the groups cannot be made again from live data: ${planned.error}`);
    for (const l of planned.leftOut) {
      const n = waiting.find((w) => w.node === l.node)!;
      Object.assign(n, { state: 'untouched', reason: `left out when the groups were made again: ${l.reason}` });
    }
    const ran = this.r.groups.slice(0, this.r.group);
    const group = planned.groups[0];
    await this.save({ groups: [...ran, ...planned.groups] });
    if (!group) return;
    await this.journal.emit(
      'log',
      `group ${this.r.group + 1} of ${ran.length + planned.groups.length}: ${group.join(', ')}`,
    );
    await this.syncDrains(live, instances, group);
    const members = group.map((name) => this.r.nodes.find((n) => n.node === name)!);
    for (const n of members) Object.assign(n, { group: this.r.group });
    await Promise.all(members.map((n) => this.runNode(n)));
    await this.save({ group: this.r.group + 1 });
  }

  /**
   * Nodes still waiting are drained, so instances moved away never land on a node about to go; except the DRBD
   * secondaries of the group's instances: Ganeti refuses to migrate to a drained node (TLMigrateInstance.CheckPrereq,
   * CheckNodeNotDrained, lib/cmdlib/instance_migration.py), so those are undrained for the group if the roll drained them.
   */
  private async syncDrains(live: Map<string, RapiNode>, instances: RapiInstance[], group: string[]): Promise<void> {
    const targets = new Set(
      instances.filter((i) => i.disk_template === 'drbd' && group.includes(i.pnode)).flatMap((i) => i.snodes),
    );
    for (const n of this.r.nodes) {
      const node = live.get(n.node);
      if (n.state !== 'waiting' || group.includes(n.node) || !node || node.offline) continue;
      if (!targets.has(n.node) && !node.drained) {
        await this.save({}, () => (n.drainedByRoll = true));
        await this.setDrained(n.node, true, node.master_candidate);
      } else if (targets.has(n.node) && node.drained && n.drainedByRoll) {
        await this.setDrained(n.node, false);
        await this.save({}, () => (n.drainedByRoll = false));
      }
    }
  }

  /** Drains or undrains once: a job of this roll still queued for it (found by its reason) is followed instead. */
  private async setDrained(node: string, drained: boolean, autoPromote = false): Promise<void> {
    this.control.checkStop();
    const mark = `:job=${this.job.id}:`;
    const queued = (await this.deps.client.jobsBulk()).find(
      (j) =>
        j.status !== null &&
        !JOB_FINAL.includes(j.status) &&
        (j.ops ?? []).some(
          (op) =>
            op.OP_ID === 'OP_NODE_SET_PARAMS' &&
            op.node_name === node &&
            op.drained === drained &&
            Array.isArray(op.reason) &&
            op.reason.some((r) => Array.isArray(r) && typeof r[1] === 'string' && r[1].includes(mark)),
        ),
    );
    await this.control.renewLease();
    this.control.checkStop();
    const id =
      queued?.id ??
      (await this.deps.client.modifyNode(node, drained ? { drained, auto_promote: autoPromote } : { drained }));
    await this.journal.emit('log', `Ganeti job ${id}: ${drained ? 'drain' : 'undrain'} ${node} (waiting in the roll)`, {
      ganetiJob: id,
    });
    const out = await followJob(this.deps.client, id, { signal: this.control.signal });
    if (out.status !== 'success')
      throw new StepError(`${drained ? 'draining' : 'undraining'} ${node}: ${out.error?.message ?? out.status}`);
  }

  /** One node: its child (or children) started once, followed until they end. */
  private async runNode(n: RollNode): Promise<void> {
    const first: 'reboot' | 'evacuate' = this.r.mode === 'reboot' ? 'reboot' : 'evacuate';
    if (n.state === 'waiting') await this.save({}, () => Object.assign(n, { state: 'running', job: newId() }));
    if (n.state === 'running' && n.returnJob === undefined) {
      const child = await this.child(n, first, n.job!);
      if (child.state !== 'succeeded') return this.nodeFailed(n, child);
      if (this.r.mode === 'reboot') return this.nodeDone(n, `rebooted (job ${child.id})`);
      await this.save({}, () =>
        Object.assign(n, { state: 'awaiting-confirmation', step: 'powered off: nodevac continue' }),
      );
      await this.journal.emit(
        'log',
        `${n.node} is powered off: nodevac continue ${this.job.id} powers it on and returns it`,
      );
    }
    if (n.state === 'awaiting-confirmation') {
      await this.awaitContinue(n);
      await this.save({}, () => Object.assign(n, { state: 'running', returnJob: newId() }));
    }
    const back = await this.child(n, 'poweron', n.returnJob!);
    if (back.state !== 'succeeded') return this.nodeFailed(n, back);
    return this.nodeDone(n, `powered off, confirmed and returned (jobs ${n.job}, ${back.id})`);
  }

  /** The child of this id, started if it does not exist yet, followed until it ends. */
  private async child(n: RollNode, kind: ChildKind, id: string): Promise<JobRecord> {
    const { store, host, settings } = this.deps;
    let child = await store.getJob(id);
    if (!child) {
      this.control.checkStop();
      const refusal = await host.startChild(this.job, n, kind, id);
      if (refusal !== undefined) return { id, state: 'failed', error: `refused: ${refusal}` } as JobRecord;
    }
    for (;;) {
      child = await store.getJob(id);
      if (child && isFinal(child)) return child;
      const step = child?.plan.steps[child.cursor]?.title;
      if (step !== undefined && step !== n.step) await this.save({}, () => (n.step = step));
      // A store read is cheap: the next group starts at most this long after a child ends, whatever pollMs is.
      await sleep(Math.min(settings.pollMs, CHILD_POLL_MS), this.control.signal);
      if (this.control.stopped) throw this.control.stopped;
    }
  }

  /** Waits for a `continue` asked after the node was powered off; a cancel leaves it powered off, said so. */
  private async awaitContinue(n: RollNode): Promise<void> {
    const since = (await this.deps.store.getJob(n.job!))?.updatedAt ?? '';
    for (;;) {
      const events = await this.deps.store.events(this.job.id);
      if (events.some((e) => e.state === 'continue-requested' && e.time >= since)) return;
      await this.control.scanRequests();
      if (this.job.cancelRequested)
        throw new StepError(
          `cancelled while ${n.node} was powered off awaiting confirmation: nodevac poweron ${n.node} --migrate-back returns it`,
          'cancelled',
        );
      await sleep(this.deps.settings.pollMs, this.control.signal);
      if (this.control.stopped) throw this.control.stopped;
    }
  }

  private async nodeDone(n: RollNode, reason: string): Promise<void> {
    await this.save({}, () => Object.assign(n, { state: 'done', reason, step: undefined }));
    await this.journal.emit('log', `${n.node}: ${reason}`);
  }

  private failedNodes(): number {
    return this.r.nodes.filter((n) => n.state === 'failed').length;
  }

  private async nodeFailed(n: RollNode, child: Pick<JobRecord, 'id' | 'state' | 'error'>): Promise<void> {
    const reason = `job ${child.id} ${child.state}: ${child.error ?? 'no error recorded'}`;
    await this.save({}, () => Object.assign(n, { state: 'failed', reason }));
    await this.journal.emit('warning', `${n.node} failed, left as its job left it: ${reason}`);
  }

  /** The report: done, failed and untouched nodes with why; the waiting ones undrained again. */
  private async finish(stopped?: string, state?: 'cancelled'): Promise<JobRecord> {
    this.control.stopHeartbeat();
    let undrainError: string | undefined;
    for (const n of this.r.nodes) {
      if (n.state === 'waiting') Object.assign(n, { state: 'untouched', reason: stopped });
      if (n.state !== 'untouched' || !n.drainedByRoll) continue;
      try {
        if ((await this.deps.client.node(n.node)).drained) await this.setDrained(n.node, false);
        n.drainedByRoll = false;
      } catch (err) {
        undrainError = `${n.node} could not be undrained (${(err as Error).message}): gnt-node modify -D no ${n.node}`;
      }
    }
    const failed = this.r.nodes.filter((n) => n.state === 'failed');
    const final = state ?? (failed.length || stopped || undrainError ? 'failed' : 'succeeded');
    const error =
      [
        stopped,
        failed.length ? `${failed.length} node(s) failed: ${failed.map((n) => n.node).join(', ')}` : '',
        undrainError,
      ]
        .filter(Boolean)
        .join('; ') || undefined;
    const report = rollReport(this.job);
    await this.journal.setJob({
      state: final,
      error,
      result: report,
      progress: this.r.nodes.filter((n) => n.state === 'done').length / Math.max(1, this.r.nodes.length),
    });
    await this.journal.audit(this.deps.operator, final, error ? `${error} — ${report}` : report);
    await this.control.release();
    await this.journal.emit(
      final === 'succeeded' ? 'job' : 'error',
      `roll of ${this.job.cluster} ${final}: ${report}`,
      {
        state: final,
      },
    );
    return this.job;
  }

  private async read(): Promise<{ nodes: RapiNode[]; instances: RapiInstance[]; master: string }> {
    const c = this.deps.client;
    const [nodes, instances, info] = await Promise.all([c.nodes(), c.instances(), c.info()]);
    return { nodes, instances, master: info.master };
  }

  /** Records the roll's progress (after `change`, made to the record in place) before anything acts on it. */
  private async save(patch: Partial<JobRecord['roll'] & object>, change?: () => void): Promise<void> {
    Object.assign(this.r, patch);
    change?.();
    const total = Math.max(1, this.r.nodes.length);
    await this.journal.setJob({
      progress: this.r.nodes.filter((n) => n.state === 'done' || n.state === 'failed').length / total,
    });
  }
}

/** One line per outcome: done, failed and untouched nodes, and those left out, each with its reason. */
export function rollReport(job: JobRecord): string {
  const r = job.roll!;
  const list = (state: RollNode['state']) =>
    r.nodes.filter((n) => n.state === state).map((n) => `${n.node}${n.reason ? ` (${n.reason})` : ''}`);
  const parts = [
    `done: ${list('done').length}`,
    `failed: ${list('failed').join('; ') || 'none'}`,
    `untouched: ${list('untouched').join('; ') || 'none'}`,
    `left out: ${r.leftOut.map((l) => `${l.node} (${l.why})`).join('; ') || 'none'}`,
  ];
  return parts.join(' | ');
}

function newId(): string {
  return randomBytes(4).toString('hex');
}

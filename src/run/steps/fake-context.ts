// A step context for handler unit tests: a small in-memory cluster behind the RAPI calls steps make, Ganeti jobs
// that take effect when followed (or fail, when the test says so), a BMC and a ping that answer as told, and a
// virtual clock (no real time passes), as the power policy is tested. Everything a handler did is recorded.
import { GanetiJobError, RapiError } from '../../ganeti/errors.js';
import type { JobOutcome, TreeOutcome } from '../../ganeti/follow.js';
import type { RapiClusterInfo, RapiInstance, RapiJob, RapiNode } from '../../ganeti/types.js';
import type { InstanceProgress, JobEvent, JobRecord, StepRecord } from '../../jobs/types.js';
import type { StepKind } from '../../plan/types.js';
import { NO_BOOT_OVERRIDE, type BootFlags } from '../../power/bootflags.js';
import type { OffMode, PowerDriver, PowerState, Reachability } from '../../power/types.js';
import { StepError, toStepError } from '../errors.js';
import type { SubmittedOp } from '../ganeti.js';
import type { EventExtra } from '../journal.js';
import type { RunnerSettings } from '../types.js';
import type { StepContext, StepMonitoring, StepRapi } from './context.js';
import { NODE, node, SETTINGS } from './fake-fixtures.js';
import { queryData, type FakeDisks } from './fake-disks.js';
import { itemActions } from './registry.js';

export { action, instance, job, node, NODE, SETTINGS } from './fake-fixtures.js';

function isInstance(item: RapiNode | RapiInstance): item is RapiInstance {
  return typeof item.pnode === 'string';
}

export interface Submission {
  id: number;
  call: keyof StepRapi;
  name: string;
  args: unknown;
}

export class FakeContext implements StepContext {
  readonly nodes = new Map<string, RapiNode>();
  readonly instances = new Map<string, RapiInstance>();
  readonly submitted: Submission[] = [];
  readonly events: { type: JobEvent['type']; message: string; extra?: EventExtra }[] = [];
  /** Operations an earlier run of the step already submitted, as `OP_ID` or `OP_ID:instance` -> Ganeti job id. */
  readonly earlier = new Map<string, number>();
  /** A Ganeti job for this call on this name fails with the message returned. */
  fail: (call: keyof StepRapi, name: string) => string | undefined = () => undefined;
  /** What the BMC reports, and whether the node answers ping (per call, from the virtual time). */
  powerState: PowerState = 'on';
  /** What the BMC's boot flags say the next power-on boots from. */
  bootFlags: BootFlags = NO_BOOT_OVERRIDE;
  /** Boot IDs Ganeti reports (null: no live data); a node not in the map reports none. */
  readonly bootIds = new Map<string, string | null>();
  answers: (time: number) => boolean = () => true;
  /** DRBD disks by instance (absent: assembled and in sync); activate-disks resyncs for `resyncMs`. */
  readonly disks = new Map<string, FakeDisks>();
  resyncMs = 10_000;
  /** Instances whose status OpInstanceQueryData was asked for, in order. */
  readonly queried: string[] = [];
  clusterInfo: Partial<RapiClusterInfo> = { candidate_pool_size: 10 };
  /** Jobs in Ganeti's queue other than this context's own submissions (e.g. the watcher's), for the job list. */
  readonly ganetiJobs: RapiJob[] = [];
  /** A cancel arrives at this virtual time. */
  cancelAt = Infinity;
  time = 0;
  saves = 0;
  /** The downtime service, when a test gives one. */
  monitoring: StepMonitoring | undefined;
  handedOver: RapiNode | undefined;
  previous: RapiNode | undefined;
  readonly settings: RunnerSettings;
  readonly step: StepRecord;
  readonly index = 0;
  private nextId = 100;
  private readonly effects = new Map<number, { submission: Submission; apply: () => unknown }>();

  constructor(
    readonly job: JobRecord,
    kind: StepKind,
    readonly resumed = false,
    settings: Partial<RunnerSettings> = {},
  ) {
    this.settings = { ...SETTINGS, ...settings };
    this.step = { kind, title: kind, state: resumed ? 'running' : 'pending', ganetiJobs: [] };
    this.nodes.set(NODE, node(NODE));
  }

  add(...items: (RapiNode | RapiInstance)[]): this {
    for (const item of items) {
      if (isInstance(item)) this.instances.set(item.name, item);
      else this.nodes.set(item.name, item);
    }
    return this;
  }

  /** GetMasterCandidateStats: fewer candidates than min(pool size, usable master-capable nodes) + 1 allows. */
  private poolShort(): boolean {
    const all = [...this.nodes.values()];
    const now = all.filter((n) => n.master_candidate).length;
    const size = this.clusterInfo.candidate_pool_size ?? 10;
    const should = Math.min(all.filter((n) => n.master_capable && !n.offline && !n.drained).length, size);
    return now < Math.min(should + 1, size);
  }

  /** A node as Ganeti reports it: its instance lists follow the instances. */
  private view(name: string): RapiNode {
    const n = this.nodes.get(name);
    if (!n) throw new RapiError('not-found', 'c1', `node ${name} not found`, 'check the name', { status: 404 });
    const all = [...this.instances.values()];
    const pinst_list = all.filter((i) => i.pnode === name).map((i) => i.name);
    const sinst_list = all.filter((i) => i.snodes.includes(name)).map((i) => i.name);
    return { ...n, pinst_list, sinst_list, pinst_cnt: pinst_list.length, sinst_cnt: sinst_list.length };
  }

  private inst(name: string): RapiInstance {
    const i = this.instances.get(name);
    if (!i) throw new RapiError('not-found', 'c1', `instance ${name} not found`, 'check the name', { status: 404 });
    return i;
  }

  /** Queues a Ganeti job whose effect happens when it is followed. */
  private queue(call: keyof StepRapi, name: string, args: unknown, apply: () => unknown): Promise<number> {
    const submission = { id: this.nextId++, call, name, args };
    this.effects.set(submission.id, { submission, apply });
    return Promise.resolve(submission.id);
  }

  private moveTo(i: RapiInstance, target: string | undefined) {
    if (i.disk_template === 'drbd') [i.pnode, i.snodes] = [i.snodes[0] ?? 'nowhere', [i.pnode]];
    else i.pnode = target ?? 'other.test';
  }

  readonly rapi: StepRapi = {
    info: () => Promise.resolve(this.clusterInfo as RapiClusterInfo),
    nodes: () => Promise.resolve([...this.nodes.keys()].map((n) => this.view(n))),
    node: (name) => Promise.resolve(this.view(name)),
    queryNodes: () =>
      Promise.resolve({
        fields: [{ name: 'name' }, { name: 'bootid' }],
        data: [...this.bootIds].map(([n, id]): [number, unknown][] => [[0, n], id === null ? [4, null] : [0, id]]),
      }),
    instance: (name) => Promise.resolve({ ...this.inst(name) }),
    instances: () => Promise.resolve([...this.instances.values()].map((i) => ({ ...i }))),
    modifyNode: (name, body) =>
      this.queue('modifyNode', name, body, () => {
        const n = this.nodes.get(name)!;
        // Setting offline clears drained (LUNodeSetParams _R2F); offline=false with drained=true lands drained.
        if (body.offline !== undefined) [n.offline, n.drained] = [body.offline, false];
        if (body.drained !== undefined) n.drained = body.drained;
        if (body.master_candidate !== undefined) n.master_candidate = body.master_candidate;
        // _DecideSelfPromotion: coming back into a short candidate pool makes the node a candidate.
        if ((body.offline === false || body.drained === false) && this.poolShort()) {
          [n.master_candidate, n.drained] = [true, false];
        }
      }),
    addNodeTags: (name, tags) => this.queue('addNodeTags', name, tags, () => this.nodes.get(name)!.tags.push(...tags)),
    deleteNodeTags: (name, tags) =>
      this.queue('deleteNodeTags', name, tags, () => {
        const n = this.nodes.get(name)!;
        n.tags = n.tags.filter((t) => !tags.includes(t));
      }),
    migrateInstance: (name, opts = {}) =>
      this.queue('migrateInstance', name, opts, () => this.moveTo(this.inst(name), opts.targetNode)),
    failoverInstance: (name, opts = {}) =>
      this.queue('failoverInstance', name, opts, () => this.moveTo(this.inst(name), opts.targetNode)),
    // Remembered unless no_remember: admin down (LUInstanceShutdown MarkInstanceDown).
    shutdownInstance: (name, opts = {}) =>
      this.queue('shutdownInstance', name, opts, () =>
        Object.assign(
          this.inst(name),
          opts.noRemember === true
            ? { oper_state: false, status: 'ERROR_down' }
            : { oper_state: false, status: 'ADMIN_down', admin_state: 'down' },
        ),
      ),
    startupInstance: (name, opts = {}) =>
      this.queue('startupInstance', name, opts, () =>
        Object.assign(this.inst(name), { oper_state: true, status: 'running', admin_state: 'up' }),
      ),
    activateDisks: (name) =>
      this.queue('activateDisks', name, {}, () => {
        const d = this.disks.get(name);
        if (d && !d.active) Object.assign(d, { active: true, syncedAt: this.time + this.resyncMs });
      }),
    // A read (a GET that makes a job): not a submission. Its result is the disks' state when it is followed.
    instanceInfo: (name) => {
      this.queried.push(name);
      const id = this.nextId++;
      this.effects.set(id, {
        submission: { id, call: 'instanceInfo', name, args: {} },
        apply: () => queryData(name, this.disks.get(name), this.time),
      });
      return Promise.resolve(id);
    },
    replaceSecondary: (name, remoteNode) =>
      this.queue('replaceSecondary', name, { remoteNode }, () => {
        this.inst(name).snodes = [remoteNode];
      }),
    job: (id) => {
      const j = this.ganetiJobs.find((x) => x.id === id);
      if (!j) throw new RapiError('not-found', 'c1', `Ganeti has no job ${id}`, 'check the id', { status: 404 });
      return Promise.resolve({ ...j });
    },
    jobsBulk: () => Promise.resolve(this.ganetiJobs.map((j) => ({ ...j }))),
    evacuateNode: (name, opts) =>
      this.queue('evacuateNode', name, opts, () => {
        for (const i of this.instances.values())
          if (i.snodes.includes(name))
            i.snodes = i.snodes.map((s) => (s === name ? (opts.remoteNode ?? 'new.test') : s));
      }),
  };

  readonly power: PowerDriver = {
    status: () => Promise.resolve(this.powerState),
    on: () => {
      this.powerState = 'on';
      return Promise.resolve();
    },
    off: (_bmc: string, _mode: OffMode) => {
      this.powerState = 'off';
      return Promise.resolve();
    },
    bootFlags: () => Promise.resolve(this.bootFlags),
  };

  readonly reach: Reachability = {
    ping: () => Promise.resolve(this.answers(this.time)),
    sweep: (addresses) => Promise.resolve(new Map(addresses.map((a) => [a, this.answers(this.time)]))),
  };

  read<T>(call: (rapi: StepRapi) => Promise<T>): Promise<T> {
    return call(this.rapi);
  }

  node(): Promise<RapiNode> {
    return this.rapi.node(this.job.node);
  }

  async submit(send: (rapi: StepRapi) => Promise<number>, instance?: string): Promise<number> {
    this.previous = undefined;
    this.checkStop();
    const id = await send(this.rapi);
    this.submitted.push(this.effects.get(id)!.submission);
    this.step.ganetiJobs.push(id);
    if (instance) this.setInstance(instance, { state: 'running', ganetiJob: id });
    return id;
  }

  findSubmitted(op: SubmittedOp): Promise<number | null> {
    return Promise.resolve(this.earlier.get(op.instance ? `${op.opId}:${op.instance}` : op.opId) ?? null);
  }

  /** Runs the job's effect, or fails it as `fail` says; a job found from an earlier run has already taken effect. */
  follow(id: number): Promise<JobOutcome> {
    const effect = this.effects.get(id);
    this.effects.delete(id);
    const failure = effect && this.fail(effect.submission.call, effect.submission.name);
    if (failure) return Promise.reject(new GanetiJobError('c1', id, 'OpPrereqError', failure, 'wrong_state'));
    const result = effect?.apply();
    return Promise.resolve({ id, status: 'success', summary: [], opresult: result === undefined ? [] : [result] });
  }

  async followTree(id: number): Promise<TreeOutcome> {
    try {
      const parent = await this.follow(id);
      return { parent, children: [], rejected: [] };
    } catch (err) {
      const error = { errorType: 'OpPrereqError', message: (err as Error).message, ecode: null };
      return { parent: { id, status: 'error', summary: [], opresult: [], error }, children: [], rejected: [] };
    }
  }

  handOver(node: RapiNode) {
    this.handedOver = node;
  }

  takeVerified(): RapiNode | undefined {
    return this.previous;
  }

  emit(type: JobEvent['type'], message: string, extra?: EventExtra): Promise<void> {
    this.events.push({ type, message, extra });
    return Promise.resolve();
  }

  note(type: JobEvent['type'], message: string, extra?: EventExtra) {
    this.events.push({ type, message, extra });
  }

  setInstance(name: string, patch: Partial<InstanceProgress>) {
    const actions = itemActions(this.step.kind);
    const mine = this.job.instances.filter((i) => i.instance === name);
    const item = mine.find((i) => actions?.includes(i.action)) ?? mine[0];
    if (item) Object.assign(item, patch);
  }

  save(): Promise<void> {
    this.saves++;
    return Promise.resolve();
  }

  checkStop() {
    if (this.time >= this.cancelAt) this.job.cancelRequested = true;
    if (this.job.cancelRequested) throw new StepError('cancelled by request', 'cancelled');
  }

  checkDeadline() {
    const deadline = this.job.plan.options.deadline;
    if (deadline && this.time > Date.parse(deadline)) throw new StepError(`deadline ${deadline} passed`, 'deadline');
  }

  stopping(): boolean {
    return this.job.cancelRequested;
  }

  failure(err: unknown): StepError {
    return toStepError(err);
  }

  now(): number {
    return this.time;
  }

  pause(ms: number): Promise<void> {
    this.time += ms;
    this.checkStop();
    return Promise.resolve();
  }
}

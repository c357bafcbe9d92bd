// What a step handler gets and gives back. A handler is a function of its context: the job and step it works
// on, Ganeti access (reads through outages, submissions exactly once, follows), the journal, the power and
// reachability drivers, and the cancellation context (stop and deadline checks, a clock whose pauses end on
// stop). The runner builds the real context; unit tests hand a fake one (fake-context.ts).
import type { RapiClient } from '../../ganeti/client.js';
import { RapiError } from '../../ganeti/errors.js';
import type { JobOutcome, TreeOutcome } from '../../ganeti/follow.js';
import type { RapiInstance, RapiNode } from '../../ganeti/types.js';
import type { InstanceProgress, JobEvent, JobRecord, StepRecord } from '../../jobs/types.js';
import type { DowntimeService } from '../../monitoring/downtime.js';
import type { StepKind } from '../../plan/types.js';
import type { PowerDriver, Reachability } from '../../power/types.js';
import { StepError } from '../errors.js';
import type { SubmittedOp } from '../ganeti.js';
import type { EventExtra } from '../journal.js';
import type { RunnerSettings } from '../types.js';

/** How a step ended: skipped (nothing to do, and why) or done (with what it did, when worth saying). */
export type StepOutcome = { kind: 'skipped'; message: string } | { kind: 'done'; message?: string };

export const done = (message?: string): StepOutcome => ({ kind: 'done', message });
export const skipped = (message: string): StepOutcome => ({ kind: 'skipped', message });

/** The RAPI calls steps make. */
export type StepRapi = Pick<
  RapiClient,
  | 'info'
  | 'nodes'
  | 'node'
  | 'queryNodes'
  | 'instance'
  | 'instances'
  | 'modifyNode'
  | 'addNodeTags'
  | 'deleteNodeTags'
  | 'migrateInstance'
  | 'failoverInstance'
  | 'shutdownInstance'
  | 'startupInstance'
  | 'evacuateNode'
  | 'activateDisks'
  | 'instanceInfo'
  | 'job'
  | 'jobsBulk'
  | 'replaceSecondary'
>;

/** The downtime service the monitoring steps use; absent when this nodevac has no monitoring configured. */
export interface StepMonitoring {
  downtime: Pick<DowntimeService, 'schedule' | 'extend' | 'remove'>;
  /** monitoring.downtimeMinutes; undefined: the window follows the plan's deadlines. */
  downtimeMinutes?: number;
}

export interface StepContext {
  readonly job: JobRecord;
  readonly step: StepRecord;
  /** Position of the step in the plan. */
  readonly index: number;
  /** The step ran before (adoption, retry): what it submitted may already be in Ganeti. */
  readonly resumed: boolean;
  readonly settings: RunnerSettings;
  readonly power: PowerDriver;
  readonly reach: Reachability;
  readonly monitoring?: StepMonitoring;

  /** A read that waits out a RAPI outage until it answers, the job stops or its deadline passes. */
  read<T>(call: (rapi: StepRapi) => Promise<T>): Promise<T>;
  /** The job's node, read through outages. */
  node(): Promise<RapiNode>;
  /** Submits unless the job stops; the Ganeti job is recorded (for `instance`, when given) before anything else. */
  submit(send: (rapi: StepRapi) => Promise<number>, instance?: string): Promise<number>;
  /** The Ganeti job this nodevac job already submitted for `op`, found by its reason; null when there is none. */
  findSubmitted(op: SubmittedOp): Promise<number | null>;
  /** Follows a Ganeti job to its end, its log into the journal; throws when it did not succeed. */
  follow(id: number, instance?: string): Promise<JobOutcome>;
  /** Follows a node-level job and its child jobs; judges none of them. */
  followTree(id: number): Promise<TreeOutcome>;
  /** Hands the node just read to the next step (dropped by any submission in between). */
  handOver(node: RapiNode): void;
  /** The node the previous step handed over, if nothing was submitted since. */
  takeVerified(): RapiNode | undefined;

  emit(type: JobEvent['type'], message: string, extra?: EventExtra): Promise<void>;
  /** An event nothing waits for: lost, not thrown, when the store cannot take it. */
  note(type: JobEvent['type'], message: string, extra?: EventExtra): void;
  setInstance(name: string, patch: Partial<InstanceProgress>): void;
  /** Writes the job record (instances, stopped, moved). */
  save(): Promise<void>;

  /** Throws when the job must not go on (stopped, cancelled). */
  checkStop(): void;
  /** Throws when the job's deadline passed. */
  checkDeadline(): void;
  /** The job is stopping (stopped or cancelled): start nothing new. */
  stopping(): boolean;
  /** Any error as the step's failure. */
  failure(err: unknown): StepError;
  /** Milliseconds (wall clock, or a test's virtual clock). */
  now(): number;
  /** Waits, then throws if the job stopped meanwhile. */
  pause(ms: number): Promise<void>;
}

export type StepHandler = (ctx: StepContext) => Promise<StepOutcome>;
export type StepRegistry = Record<StepKind, StepHandler>;

/** Submits `send` unless, on a resumed step, Ganeti already has this job's `op`: exactly once either way. */
export async function submitOnce(
  ctx: StepContext,
  op: SubmittedOp,
  send: (rapi: StepRapi) => Promise<number>,
): Promise<number> {
  const before = ctx.resumed ? await ctx.findSubmitted(op) : null;
  return before ?? (await ctx.submit(send, op.instance));
}

/** The instance as it is now; null, with its item settled ("no longer exists"), when Ganeti no longer has it. */
export async function readInstance(ctx: StepContext, name: string): Promise<RapiInstance | null> {
  try {
    return await ctx.read((c) => c.instance(name));
  } catch (err) {
    if (!(err instanceof RapiError && err.kind === 'not-found')) throw err;
    ctx.setInstance(name, { state: 'done', message: 'no longer exists' });
    return null;
  }
}

export function isRunning(inst: RapiInstance): boolean {
  return inst.oper_state === true || inst.status === 'running';
}

/** The node's BMC from the plan, or the failure that says how to tag it. */
export function requireBmc(ctx: StepContext): string {
  const bmc = ctx.job.plan.bmc;
  if (!bmc) throw new StepError(`${ctx.job.node} has no BMC tag: gnt-node add-tags ${ctx.job.node} ipmi:<bmc-host>`);
  return bmc;
}

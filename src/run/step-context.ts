// The real step context: the job's Ganeti access, journal and control, bound to one step.
import type { StepRecord } from '../jobs/types.js';
import { sleep } from '../util/sleep.js';
import type { JobControl } from './control.js';
import { toStepError } from './errors.js';
import type { GanetiAccess } from './ganeti.js';
import type { Journal } from './journal.js';
import type { StepContext } from './steps/context.js';
import { itemActions } from './steps/registry.js';
import type { RunnerDeps } from './types.js';

export interface Engine {
  journal: Journal;
  control: JobControl;
  ganeti: GanetiAccess;
  deps: Pick<RunnerDeps, 'settings' | 'power' | 'reach' | 'monitoring'>;
}

export function stepContext({ journal, control, ganeti, deps }: Engine, step: StepRecord, index: number): StepContext {
  const { job } = journal;
  return {
    job,
    step,
    index,
    resumed: step.state !== 'pending',
    settings: deps.settings,
    power: deps.power,
    reach: deps.reach,
    monitoring: deps.monitoring,
    read: (call) => ganeti.read(call),
    node: () => ganeti.node(),
    submit: (send, instance) => ganeti.submit(step, send, instance),
    findSubmitted: (op) => ganeti.findSubmitted(step, op),
    follow: (id, instance) => ganeti.follow(id, step, instance),
    followTree: (id) => ganeti.followTree(id, step),
    handOver: (node) => ganeti.handOver(node, index + 1),
    takeVerified: () => ganeti.takeVerified(index),
    emit: (type, message, extra) => journal.emit(type, message, extra),
    note: (type, message, extra) => journal.note(type, message, extra),
    setInstance: (name, patch) => journal.setInstance(name, patch, itemActions(step.kind)),
    save: () => journal.save(),
    checkStop: () => control.checkStop(),
    checkDeadline: () => control.checkDeadline(),
    stopping: () => control.stopped !== null || job.cancelRequested,
    failure: (err) => toStepError(err, control.stopped),
    now: () => Date.now(),
    pause: async (ms) => {
      await sleep(ms, control.signal);
      control.checkStop();
    },
  };
}

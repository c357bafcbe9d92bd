// The job's control against a real local store: requests read at start and by the heartbeat's scan, stop and
// deadline checks, the lock given up.
import { afterEach, describe, expect, it } from 'vitest';
import type { JobRecord } from '../jobs/types.js';
import { useTempLocalStore } from '../store/testing/temp-store.js';
import { JobControl } from './control.js';
import { StepError } from './errors.js';
import { job } from './steps/fake-context.js';

const store = useTempLocalStore('nodevac-control-');
let control: JobControl | undefined;
afterEach(() => {
  control?.stopHeartbeat();
});

const request = (j: JobRecord, state: string) =>
  store().appendEvent({ jobId: j.id, time: new Date().toISOString(), type: 'job', state, message: state });

function controlOf(j: JobRecord, onCancel: () => void = () => undefined, lockToken = 't1') {
  control = new JobControl(j, { store: store(), lockToken, leaseMs: 15_000, onCancel });
  return control;
}

describe('JobControl', () => {
  it('at start, the latest of the cancel and retry requests decides', async () => {
    const cancelled = job({}, { id: 'a' });
    await request(cancelled, 'retry-requested');
    await request(cancelled, 'cancel-requested');
    await controlOf(cancelled).start();
    expect(cancelled.cancelRequested).toBe(true);
    control!.stopHeartbeat();

    const retried = job({}, { id: 'b', cancelRequested: true });
    await request(retried, 'cancel-requested');
    await request(retried, 'retry-requested');
    await controlOf(retried).start();
    expect(retried.cancelRequested).toBe(false);
  });

  it('a cancel appended while the job runs is seen once: submissions give up, Ganeti jobs get cancelled', async () => {
    const j = job();
    let told = 0;
    const c = controlOf(j, () => {
      told++;
    });
    await c.start();
    c.stopHeartbeat();
    await store().appendEvent({ jobId: j.id, time: '', type: 'log', message: 'a line of the runner' });
    await c.checkpoint();
    await request(j, 'cancel-requested');
    await request(j, 'cancel-requested');
    await expect(c.checkpoint()).rejects.toMatchObject({ reason: 'cancelled', message: 'cancelled by request' });
    expect(told).toBe(1);
    expect(c.submitSignal.aborted).toBe(true);
    // Waits and follows go on: only this process stopping ends them.
    expect(c.signal.aborted).toBe(false);
  });

  it('a stop ends waits at once and is what every later check throws', async () => {
    const c = controlOf(job());
    c.stop(new StepError('detached', 'lease-lost'));
    c.stop(new StepError('second reason', 'failed'));
    expect(c.signal.aborted).toBe(true);
    expect(() => c.checkStop()).toThrow('detached');
    expect(c.stopped?.reason).toBe('lease-lost');
  });

  it('a passed deadline stops the job', () => {
    const past = job({ options: { ...job().plan.options, deadline: '2000-01-01T00:00:00Z' } });
    expect(() => controlOf(past).checkDeadline()).toThrow('deadline 2000-01-01T00:00:00Z passed');
    expect(() => controlOf(job()).checkDeadline()).not.toThrow();
  });

  it('releases the node’s lock only with its own token', async () => {
    const j = job();
    const lock = { key: 'c1/node1.test', token: 't1', jobId: j.id, owner: j.owner, pid: 1, host: 'h', since: '' };
    expect((await store().acquireLock(lock, 15_000)).acquired).toBe(true);
    expect(await controlOf(j, undefined, 'someone else').release()).toBe(false);
    expect(await controlOf(j).release()).toBe(true);
    expect(await store().getLock('c1/node1.test')).toBeUndefined();
  });
});

// The journal against a real local store: step records, events, Ganeti job ids, and silence once detached.
import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../jobs/types.js';
import { useTempLocalStore } from '../store/testing/temp-store.js';
import { Journal } from './journal.js';
import { action, instance, job } from './steps/fake-context.js';

const store = useTempLocalStore('nodevac-journal-');

const plan = {
  steps: [
    { kind: 'drain' as const, title: 'Drain node1' },
    { kind: 'move-primaries' as const, title: 'Move primaries' },
  ],
  instances: [action(instance('web1'), 'migrate')],
};

describe('Journal', () => {
  it('creates pending step records from the plan once, and finds them on resume', async () => {
    const j = job(plan);
    const first = new Journal(j, store());
    expect((await first.loadSteps()).map((s) => [s.kind, s.state])).toEqual([
      ['drain', 'pending'],
      ['move-primaries', 'pending'],
    ]);
    await first.setStep(first.steps[0]!, { state: 'done', message: 'already drained' });
    const resumed = new Journal(j, store());
    expect((await resumed.loadSteps())[0]).toMatchObject({ state: 'done', message: 'already drained' });
  });

  it('a step change is stored and told to the face that started the job', async () => {
    const told: JobEvent[] = [];
    const journal = new Journal(job(plan), store(), (e) => told.push(e));
    await journal.loadSteps();
    await journal.setStep(journal.steps[1]!, { state: 'skipped', message: 'no primary instance to move' });
    expect(told).toMatchObject([
      {
        type: 'step',
        step: 'move-primaries',
        state: 'skipped',
        message: 'Move primaries: skipped — no primary instance to move',
      },
    ]);
    expect(await store().events(journal.job.id)).toEqual(told);
  });

  it('records a Ganeti job id once, on its step and its instance', async () => {
    const journal = new Journal(job(plan), store());
    const steps = await journal.loadSteps();
    await journal.recordGanetiJob(steps[1]!, 7, 'web1');
    await journal.recordGanetiJob(steps[1]!, 7, 'web1');
    expect((await store().getSteps(journal.job.id))[1]!.ganetiJobs).toEqual([7]);
    expect((await store().getJob(journal.job.id))?.instances).toMatchObject([
      { instance: 'web1', state: 'running', ganetiJob: 7 },
    ]);
    expect((await store().events(journal.job.id)).map((e) => e.message)).toContain('Ganeti job 7 submitted for web1');
  });

  it('once detached, writes nothing more to the job’s records', async () => {
    const j = job(plan);
    const journal = new Journal(j, store());
    await journal.loadSteps();
    await journal.setJob({ progress: 0.5 });
    journal.detach();
    await journal.setJob({ progress: 1 });
    await journal.setStep(journal.steps[0]!, { state: 'done' });
    expect((await store().getJob(j.id))?.progress).toBe(0.5);
    expect((await store().getSteps(j.id))[0]!.state).toBe('pending');
  });
});

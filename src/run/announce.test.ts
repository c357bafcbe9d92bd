// Announcements against a real local store and an announcer that records what it was asked to send: one start and
// one end per job, also when another process (a second Announcements on the stored record) takes the job over.
import { describe, expect, it } from 'vitest';
import type { Announcement, Delivery } from '../monitoring/webhook.js';
import { useTempLocalStore } from '../store/testing/temp-store.js';
import { Announcements } from './announce.js';
import { Journal } from './journal.js';
import { job } from './steps/fake-context.js';

const store = useTempLocalStore('nodevac-announce-');

describe('Announcements', () => {
  it('announces the start and the end once across adoption; a failed delivery is a warning on the job', async () => {
    const sent: Announcement[] = [];
    const announcer = {
      announce: (a: Announcement): Promise<Delivery[]> => {
        sent.push(a);
        return Promise.resolve([{ url: 'http://hook', ok: a.type !== 'step.ended', attempts: 4, warning: 'HTTP 500' }]);
      },
    };
    const j = job({}, { id: 'J1', reason: 'disk swap', ticket: 'T1' });
    await store().putJob(j);
    const first = new Announcements(j, new Journal(j, store()), announcer);
    await first.started();
    first.stepEnded({ kind: 'drain', title: 'Drain', state: 'done', ganetiJobs: [] });
    await first.settle();

    // Another process adopts the job from its stored record.
    const adopted = (await store().getJob('J1'))!;
    const second = new Announcements(adopted, new Journal(adopted, store()), announcer);
    await second.started();
    await second.ended('succeeded', 'done');
    await second.ended('succeeded', 'done');
    await second.settle();

    expect(sent.map((a) => a.type)).toEqual(['job.started', 'step.ended', 'job.ended']);
    expect(sent[0]).toMatchObject({ jobId: 'J1', reason: 'disk swap', ticket: 'T1', step: null });
    const warnings = (await store().events('J1')).filter((e) => e.type === 'warning').map((e) => e.message);
    expect(warnings).toEqual(['announcement step.ended not delivered: HTTP 500']);
  });
});

// A separate nodevac process for the race tests: opens the compiled store and obeys the parent over IPC.
// argv: path of the compiled store index.js, store settings as JSON.
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { serve } from '../helpers/ipc-child.mjs';

const { openStore } = await import(pathToFileURL(process.argv[2]).href);
const store = await openStore(JSON.parse(process.argv[3]));
const owner = { name: `child ${process.pid}`, user: 'racer', from: null, host: 'racehost' };
const now = () => performance.timeOrigin + performance.now();

const ops = {
  async acquire({ key, ttl }) {
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const start = now();
    const result = await store.acquireLock(
      {
        key,
        token,
        jobId: `job-${process.pid}`,
        owner,
        pid: process.pid,
        host: 'racehost',
        since: new Date().toISOString(),
      },
      ttl,
    );
    const end = now();
    return {
      token,
      acquired: result.acquired,
      holder: result.acquired ? result.lock.token : result.holder.token,
      start,
      end,
    };
  },
  async append({ jobId, count }) {
    const seqs = [];
    for (let i = 0; i < count; i++) {
      const e = await store.appendEvent({
        jobId,
        time: new Date().toISOString(),
        type: 'log',
        message: `${process.pid}:${i}`,
      });
      seqs.push(e.seq);
    }
    return { pid: process.pid, seqs };
  },
  async audit({ count }) {
    for (let i = 0; i < count; i++) {
      await store.appendAudit({
        time: new Date().toISOString(),
        operator: owner,
        action: 'race',
        cluster: 'lab',
        node: `${process.pid}`,
        result: 'info',
        detail: `${i}`,
      });
    }
    return { pid: process.pid };
  },
  async close() {
    await store.close();
    return {};
  },
};

serve(ops);

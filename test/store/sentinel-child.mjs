// A technician's nodevac process for the Sentinel suite: the compiled store, obeying the parent over IPC.
// argv: path of the compiled store index.js, store settings as JSON.
import { pathToFileURL } from 'node:url';
import { serve } from '../helpers/ipc-child.mjs';

const { openStore } = await import(pathToFileURL(process.argv[2]).href);
const store = await openStore(JSON.parse(process.argv[3]));
const owner = { name: `technician ${process.pid}`, user: 'tech', from: null, host: 'jumphost' };

const ops = {
  async acquire({ key, jobId, ttl }) {
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const lock = { key, token, jobId, owner, pid: process.pid, host: 'jumphost', since: new Date().toISOString() };
    try {
      const result = await store.acquireLock(lock, ttl);
      return { token, acquired: result.acquired, expiresAt: result.acquired ? result.lock.expiresAt : 0 };
    } catch (err) {
      return { token, acquired: false, error: err.message };
    }
  },
  async renew({ key, token, ttl }) {
    try {
      return { renewed: await store.renewLock(key, token, ttl) };
    } catch (err) {
      return { renewed: false, error: err.message };
    }
  },
  /** The job record a running job has: what fences its node against a new job while it runs. */
  async putJob({ job }) {
    await store.putJob(job);
    return {};
  },
  async append({ jobId, count }) {
    const seqs = [];
    for (let i = 0; i < count; i++) {
      const e = await store.appendEvent({ jobId, time: new Date().toISOString(), type: 'log', message: String(i) });
      seqs.push(e.seq);
    }
    return { seqs };
  },
  async close() {
    await store.close();
    return {};
  },
};

serve(ops);

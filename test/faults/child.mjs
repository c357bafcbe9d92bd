// A separate nodevac process for the fault suites: the compiled engine, obeying the test over IPC.
// argv: dist directory of the compiled engine, JSON {config, runner}.
// A job it starts is driven here until it ends, the process is killed, or `close` detaches it.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { serve } from '../helpers/ipc-child.mjs';

const [dist, setupJson] = process.argv.slice(2);
const { configSchema } = await import(pathToFileURL(path.join(dist, 'config/schema.js')).href);
const { createApp } = await import(pathToFileURL(path.join(dist, 'app/index.js')).href);
const { simDrivers } = await import(pathToFileURL(path.join(dist, 'sim/drivers.js')).href);
const { openStore } = await import(pathToFileURL(path.join(dist, 'store/index.js')).href);
const { storeSettings } = await import(pathToFileURL(path.join(dist, 'app/store-config.js')).href);
const setup = JSON.parse(setupJson);
const config = configSchema.parse(setup.config);
// `start` may ask the process to stop itself (SIGSTOP) once the job's n-th event is stored, so that a kill lands
// at exactly that moment whatever the machine's load: nothing runs between the append and the stop.
let stopAtEvent;
// `roll` may ask the same at the n-th event (of any job) whose message matches a pattern.
let stopAt;
const store = await openStore(storeSettings(config.store));
const append = store.appendEvent.bind(store);
store.appendEvent = async (event) => {
  const stored = await append(event);
  if (stopAtEvent !== undefined && stored.seq >= stopAtEvent) process.kill(process.pid, 'SIGSTOP');
  if (stopAt && new RegExp(stopAt.pattern).test(stored.message) && --stopAt.nth <= 0)
    process.kill(process.pid, 'SIGSTOP');
  return stored;
};
const app = await createApp({ config, store, runner: setup.runner, drivers: simDrivers(config.simulator) });
let plan;

const ops = {
  async plan({ request }) {
    plan = await app.plan(request);
    return { blockers: plan.blockers.map((b) => b.code) };
  },
  async start({ stopAtEvent: n } = {}) {
    stopAtEvent = n;
    const job = await app.start(plan);
    return { id: job.id };
  },
  /** Plans and starts a roll; stops itself at the event `stop` names ({pattern, nth}), if given. */
  async roll({ request, stop }) {
    stopAt = stop;
    const planned = await app.planRoll(request);
    if (planned.blockers.length) return { blockers: planned.blockers.map((b) => b.message) };
    const job = await app.startRoll(planned);
    return { id: job.id };
  },
  /** start, answering with its outcome and when it ran (epoch ms), for lock races. */
  async race() {
    const t0 = performance.timeOrigin + performance.now();
    try {
      const job = await app.start(plan);
      return { started: job.id, t0, t1: performance.timeOrigin + performance.now() };
    } catch (err) {
      return {
        error: err.name,
        message: err.message,
        holder: err.holder?.jobId,
        t0,
        t1: performance.timeOrigin + performance.now(),
      };
    }
  },
  async driven() {
    return app.drivenJobs();
  },
  async close() {
    await app.close();
    return {};
  },
};

serve(ops);

// A nodevac process (the compiled engine, the host's ipmitool and ping) driving one job on the real lab, for
// test/e2e/monitoring-faults.lab.test.ts. It can stop itself (SIGSTOP) at an exact moment of the downtime step, so
// that the test's SIGKILL lands there whatever the machine's load, and it can fail the job after the power-off.
// argv: dist directory, config file, JSON {request, stop?: "before-record" | "after-record", failAfterPowerOff?}.
// Prints one JSON line {job} once the job is recorded, and {state} when it ends.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, configFile, setupJson] = process.argv.slice(2);
const load = (m) => import(pathToFileURL(path.join(dist, m)).href);
const { loadConfig } = await load('config/load.js');
const { createApp } = await load('app/index.js');
const { hostDrivers } = await load('app/drivers.js');
const { openStore } = await load('store/index.js');
const { storeSettings } = await load('app/store-config.js');
const setup = JSON.parse(setupJson);
const { config } = loadConfig(configFile);

const store = await openStore(storeSettings(config.store));
const put = store.putJob.bind(store);
store.putJob = async (job) => {
  const d = job.downtime;
  // The Icinga downtime is made but not yet in the record (the silence comes after it): dies before storing it.
  if (setup.stop === 'before-record' && d?.icingaDowntime && !d.silenceId) process.kill(process.pid, 'SIGSTOP');
  await put(job);
  // Both ids stored, the downtime step not yet marked done.
  if (
    setup.stop === 'after-record' &&
    d?.icingaDowntime &&
    d.silenceId &&
    job.plan.steps[job.cursor]?.kind === 'silence'
  )
    process.kill(process.pid, 'SIGSTOP');
};

const drivers = hostDrivers(config);
if (setup.failAfterPowerOff) {
  // The node is really off; the network check that follows (verify-off) then fails, as a broken ping would.
  let off = false;
  const power = drivers.power;
  drivers.power = (cluster, credentials) => {
    const d = power(cluster, credentials);
    return { ...d, off: async (b, m) => ((off = true), d.off(b, m)) };
  };
  const ping = drivers.reach.ping;
  drivers.reach = {
    ...drivers.reach,
    ping: async (a) => {
      if (off) throw new Error('injected fault: ping failed after the power-off');
      return ping(a);
    },
  };
}

const app = await createApp({ config, store, drivers });
const { plan, job } = await app.planAndStart(setup.request);
if (!job) {
  console.log(JSON.stringify({ blockers: plan.blockers.map((b) => b.message) }));
  await app.close();
  process.exit(1);
}
console.log(JSON.stringify({ job: job.id }));
for (;;) {
  const now = await app.job(job.id);
  if (['succeeded', 'failed', 'cancelled'].includes(now.state)) {
    console.log(JSON.stringify({ state: now.state, error: now.error ?? null }));
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
}
await app.close();

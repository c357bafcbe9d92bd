// Child process for the close() test: starts a simulator, leaves every kind of work in flight (a long-poll, a
// running job, a booting node, a soft power-off, open connections), closes it, and then must exit on its own.
import { startSimulator } from '../../../src/sim/index.js';
import { rapi } from '../helpers.js';

const sim = await startSimulator({
  inventory: 'small',
  jobDurationMs: 60_000,
  bootDelayMs: 60_000,
  softOffDelayMs: 60_000,
});
const c = rapi(sim);
const id = await c.submit('POST', '/2/nodes/node2.small.example.org/migrate', {});
const wait = c
  .get(`/2/jobs/${id}/wait`, {
    body: { fields: ['status'], previous_job_info: ['running'], previous_log_serial: null },
  })
  .catch(() => null);
await sim.power.off('node4-bmc.small.sim', 'soft');
await sim.power.off('node3-bmc.small.sim', 'hard');
await sim.power.on('node3-bmc.small.sim');
await sim.close();
await wait;
process.stdout.write('closed\n');

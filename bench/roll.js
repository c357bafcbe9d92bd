// Roll, on the simulator's demo cluster ams: (1) the number of reboot groups nodevac makes against hroller's for the
// same cluster (exported in htools text, `hroller -t`; the column is skipped, saying so, without ganeti-htools), and
// (2) the roll's wall time against the sum, over its groups, of the longest single-node reboot of each group (the
// same nodes rebooted one job at a time first): what the parent adds. Target ≤ 1.10.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { dist, main, ROOT, row, skipped } from './lib.js';

const HROLLER = '/usr/bin/hroller';
const TARGET = 1.1;
// node5 is left out: its db03 has its secondary on the drained node6 (the plan refuses it).
const NODES = ['node2', 'node3', 'node4', 'node6', 'node7'];
const OPTIONS = { shutdownNonMirrored: true, allowFailover: true };
const SIM = {
  inventory: 'demo',
  jobDurationMs: 20,
  queueDelayMs: 5,
  bootDelayMs: 50,
  daemonDelayMs: 150,
  softOffDelayMs: 20,
};

/** test/roll/htools-text.ts (type-only imports), made runnable here by esbuild. */
async function htoolsText(dir) {
  const { transform } = await import('esbuild');
  const source = readFileSync(path.join(ROOT, 'test/roll/htools-text.ts'), 'utf8');
  const file = path.join(dir, 'htools-text.mjs');
  writeFileSync(file, (await transform(source, { loader: 'ts', format: 'esm' })).code);
  return import(pathToFileURL(file).href);
}

main(async () => {
  const { startSimulator } = await dist('sim/index.js');
  const { createApp } = await dist('app/index.js');
  const { configSchema } = await dist('config/schema.js');
  const { simDrivers } = await dist('sim/drivers.js');
  const { rollGroups, rollModel } = await dist('plan/roll-groups.js');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nodevac-bench-roll-'));
  const sim = await startSimulator(SIM);
  const config = configSchema.parse({
    ...sim.config(),
    store: { dir },
    operator: { from: 'fixed', name: 'bench' },
    limits: { evacuationsPerCluster: 4 },
  });
  const app = await createApp({ config, drivers: simDrivers(config.simulator), runner: { pollMs: 20, leaseMs: 1500 } });
  const rows = [];
  try {
    // (1) Groups, master included as hroller has it, on the cluster as the RAPI reports it.
    const c = sim.world.cluster('ams');
    const rapi = sim.config().clusters.find((x) => x.name === 'ams');
    const { RapiClient } = await dist('ganeti/client.js');
    const client = new RapiClient({ ...rapi, timeoutSeconds: 30, connections: 2 }, { operator: 'bench' });
    const [nodes, instances] = await Promise.all([client.nodes(), client.instances()]);
    client.close();
    const ours = rollGroups({ ...rollModel(nodes, instances, c.master.name), includeMaster: true });
    if (!ours.ok) throw new Error(ours.error);
    if (existsSync(HROLLER)) {
      const { toHtoolsText } = await htoolsText(dir);
      const file = path.join(dir, 'ams.data');
      writeFileSync(file, toHtoolsText(nodes, instances, c.master.name));
      const theirs = execFileSync(HROLLER, ['--no-headers', '-t', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .trim()
        .split('\n')
        .filter((l) => l.includes('.'));
      rows.push(
        row(
          'roll groups (demo ams, master included)',
          ours.groups.length,
          'groups',
          `≤ hroller's (${theirs.length})`,
          ours.groups.length <= theirs.length,
          `nodevac ${ours.groups.length} groups, ${HROLLER} -t: ${theirs.length}; 7 nodes, 36 instances`,
        ),
      );
    } else
      rows.push(
        skipped(
          'roll groups (demo ams, master included)',
          "≤ hroller's",
          `nodevac ${ours.groups.length} groups; hroller column skipped: ${HROLLER} missing (Debian ganeti-htools-3.0)`,
        ),
      );

    // (2) Single-node reboots, one at a time, then the roll of the same nodes, two at once.
    const single = new Map();
    for (const n of NODES) {
      const { job } = await app.planAndStart({ kind: 'reboot', node: `${n}.ams.example.org`, options: OPTIONS });
      if (!job) throw new Error(`reboot of ${n} refused`);
      const t0 = performance.now();
      const done = await app.watch(job.id, () => undefined).done;
      if (done.state !== 'succeeded') throw new Error(`reboot of ${n} ${done.state}: ${done.error}`);
      single.set(done.node, performance.now() - t0);
    }
    const plan = await app.planRoll({ cluster: 'ams', nodes: NODES, maxParallel: 2, options: OPTIONS });
    if (plan.blockers.length) throw new Error(plan.blockers.map((b) => b.message).join('; '));
    const t0 = performance.now();
    const started = await app.startRoll(plan);
    const rolled = await app.watch(started.id, () => undefined).done;
    const wall = performance.now() - t0;
    if (rolled.state !== 'succeeded') throw new Error(`roll ${rolled.state}: ${rolled.error}`);
    if (process.env.NODEVAC_BENCH_ROLL_EVENTS)
      for (const e of await app.events(started.id)) process.stderr.write(`${e.time.slice(17, 23)} ${e.message}\n`);
    const groups = rolled.roll.groups;
    const expected = groups.reduce((sum, g) => sum + Math.max(...g.map((n) => single.get(n))), 0);
    const ratio = wall / expected;
    rows.push(
      row(
        'roll wall time / sum of per-group maxima',
        Math.round(ratio * 100) / 100,
        '',
        `≤ ${TARGET}`,
        ratio <= TARGET,
        `roll ${(wall / 1000).toFixed(1)} s, ${groups.length} groups (${groups.map((g) => g.length).join('+')} nodes, --max-parallel 2); per-group maxima of single reboots sum to ${(expected / 1000).toFixed(1)} s; simulator, fast timings`,
      ),
    );
    return rows;
  } finally {
    await app.close();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

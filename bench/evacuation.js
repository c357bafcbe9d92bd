// Evacuation overhead on the real lab (real Ganeti 3.0): nodevac (the app facade, Redis store as configured)
// evacuates node3 without powering it off, then returns it with migrate-back; beside it, in alternated runs,
// a minimal script makes the same RAPI calls (maintenance tag, drain, per-instance migrate, offline; then
// de-offline, undrain, migrate back, untag), with the same client and job follower, and nothing else: no plan,
// no store, no lock, no checks between steps. The lab ends as found:
// node3 online, undrained, master candidate, holding vm3a and vm3b. node1 (master) is never touched and
// nothing is ever powered off.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createClient } from '@keyv/redis';
import { LAB_CONFIG, dist, labUp, main, median, row, skipped, sleep, spread } from './lib.js';

const PAIRS = Number(process.env.NODEVAC_BENCH_EVAC_PAIRS ?? 3);
/** node3's instances as the lab leaves it: the only instances this benchmark ever moves. */
const HOME = ['vm3a.ganeti.test', 'vm3b.ganeti.test'];
const WAIT_S = Number(process.env.NODEVAC_BENCH_LAB_WAIT_S ?? 180);
const NODE = 'node3.ganeti.test';
const FIGURE = 'evacuation overhead (lab)';
const TARGET = '≤ 1.03 (nodevac / script)';

main(async () => {
  if (!labUp()) return [skipped(FIGURE, TARGET, `lab not up (no ${LAB_CONFIG})`)];
  const { createApp } = await dist('app/index.js');
  const { loadConfig } = await dist('config/load.js');
  const { openStore } = await dist('store/index.js');
  const { RapiClient } = await dist('ganeti/client.js');
  const { followJob } = await dist('ganeti/follow.js');
  const { MAINTENANCE_TAG } = await dist('run/runner.js');

  const { config } = loadConfig(LAB_CONFIG, {});
  const c = config.clusters[0];
  const client = new RapiClient(
    {
      name: c.name,
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      tls: c.tls,
      timeoutSeconds: c.timeoutSeconds,
      connections: config.limits.rapiConnections,
    },
    { operator: 'bench-script' },
  );
  const redisUrl = config.store && 'redis' in config.store ? config.store.redis : undefined;
  const namespace = `nodevac-bench-${randomBytes(3).toString('hex')}`;
  const store = await openStore(redisUrl ? { redis: redisUrl, namespace } : { dir: `/tmp/${namespace}`, namespace });
  const app = await createApp({ config, store });

  // Someone else's test on the lab would skew both sides and could meet ours: wait for a quiet, pristine lab.
  const deadline = Date.now() + WAIT_S * 1000;
  // What nodevac's planner uses when no --iallocator is given.
  const clusterIallocator = (await client.info()).default_iallocator || undefined;
  let wasCandidate = true;
  /** '' once the lab is quiet and node3 pristine; otherwise why not, after waiting until the deadline. */
  const quiet = async () => {
    for (;;) {
      const info = await client.info();
      const node = await client.node(NODE);
      const mine = (await client.instances())
        .filter((i) => i.pnode === NODE)
        .map((i) => i.name)
        .sort();
      const active = (await client.jobsBulk()).filter((j) => ['queued', 'waiting', 'running'].includes(j.status));
      const busy =
        active.length > 0
          ? `${active.length} Ganeti job(s) running on the lab (${active
              .map((j) => j.summary?.[0] ?? j.id)
              .slice(0, 3)
              .join(', ')})`
          : info.master === NODE || node.drained || node.offline || mine.join(',') !== HOME.join(',')
            ? `node3 is not as the lab leaves it (${info.master === NODE ? 'master' : node.offline ? 'offline' : node.drained ? 'drained' : `holding ${mine.join(', ') || 'nothing'}`})`
            : '';
      wasCandidate = node.master_candidate;
      if (!busy || Date.now() > deadline) return busy;
      await sleep(5000);
    }
  };
  /** Ganeti jobs and nodevac jobs of this run: anything else on the lab meanwhile spoils the measurement. */
  const ours = new Set();
  const ourNodevacJobs = new Set();
  /** The script's maintenance tags, removed by restoreLab whatever happens. */
  const scriptTags = [];
  const ourTags = () => [...[...ourNodevacJobs].map((id) => `${MAINTENANCE_TAG}:${id}`), ...scriptTags];

  const follow = async (id) => {
    const out = await followJob(client, id);
    ours.add(id);
    if (out.status !== 'success') throw new Error(`Ganeti job ${id} ended ${out.status}: ${out.error?.message ?? ''}`);
    return id;
  };

  /** The minimal script: the same Ganeti operations as nodevac's engine, nothing recorded, no lock. */
  let scriptTag = '';
  const script = {
    async evacuate() {
      const jobs = [];
      scriptTag = `${MAINTENANCE_TAG}:bench-${randomBytes(4).toString('hex')}`;
      scriptTags.push(scriptTag);
      jobs.push(await follow(await client.addNodeTags(NODE, [scriptTag])));
      const node = await client.node(NODE);
      jobs.push(await follow(await client.modifyNode(NODE, { drained: true, auto_promote: node.master_candidate })));
      const primaries = (await client.instances()).filter((i) => i.pnode === NODE);
      // Two moves at a time, as nodevac's default limits.movesPerEvacuation.
      const queue = [...primaries];
      await Promise.all(
        Array.from({ length: Math.min(config.limits.movesPerEvacuation, queue.length) }, async () => {
          while (queue.length) {
            const inst = queue.shift();
            jobs.push(
              await follow(
                await client.migrateInstance(inst.name, {
                  allowFailover: inst.admin_state !== 'up',
                  iallocator: clusterIallocator,
                }),
              ),
            );
            await client.instance(inst.name);
          }
        }),
      );
      const after = await client.node(NODE);
      if (after.pinst_cnt > 0) throw new Error(`script: ${NODE} still holds ${after.pinst_list.join(', ')}`);
      jobs.push(await follow(await client.modifyNode(NODE, { offline: true, auto_promote: after.master_candidate })));
      return jobs;
    },
    async restore() {
      const jobs = [];
      jobs.push(await follow(await client.modifyNode(NODE, { offline: false })));
      // Ganeti's roles exclude each other: leaving offline usually leaves drained too; nodevac checks, so does this.
      let node = await client.node(NODE);
      if (node.drained) {
        jobs.push(await follow(await client.modifyNode(NODE, { drained: false })));
        node = await client.node(NODE);
      }
      if (wasCandidate && !node.master_candidate)
        jobs.push(await follow(await client.modifyNode(NODE, { master_candidate: true })));
      for (const name of HOME) {
        const inst = await client.instance(name);
        if (inst.pnode === NODE) continue;
        jobs.push(
          await follow(
            await client.migrateInstance(name, { targetNode: NODE, allowFailover: inst.admin_state !== 'up' }),
          ),
        );
      }
      jobs.push(await follow(await client.deleteNodeTags(NODE, [scriptTag])));
      return jobs;
    },
  };

  /** nodevac through its facade as `nodevac <kind> node3 --yes` drives it: plan and start, then watch until the end. */
  const nodevacRun = async (kind, options) => {
    const { plan, job } = await app.planAndStart({ kind, node: 'node3', options });
    if (!job) throw new Error(`nodevac refused the ${kind}: ${plan.blockers.map((b) => b.message).join('; ')}`);
    ourNodevacJobs.add(job.id);
    const done = await app.watch(job.id, () => undefined).done;
    if (done.state !== 'succeeded') throw new Error(`nodevac ${kind} ${done.state}: ${done.error ?? ''}`);
    const ids = (await store.getSteps(job.id)).flatMap((s) => s.ganetiJobs);
    for (const id of ids) ours.add(id);
    return ids;
  };
  const nodevac = {
    evacuate: () => nodevacRun('evacuate', { powerOff: false }),
    restore: () => nodevacRun('return', { migrateBack: true }),
  };

  /**
   * Where a run's wall time went: `busy` is the time at least one of its Ganeti jobs was in Ganeti (received →
   * end, overlaps counted once); `gaps` is the rest, the tool's own time; `byOp` sums each opcode's jobs.
   */
  const jobStats = async (ids, from, to) => {
    const spans = [];
    const byOp = {};
    for (const id of ids) {
      const j = await client.job(id);
      const s = j.received_ts[0] + j.received_ts[1] / 1e6;
      const e = j.end_ts[0] + j.end_ts[1] / 1e6;
      spans.push([s, e]);
      const op = j.ops?.[0]?.OP_ID ?? '?';
      byOp[op] = (byOp[op] ?? 0) + (e - s);
    }
    spans.sort((a, b) => a[0] - b[0]);
    let busy = 0;
    let end = -Infinity;
    for (const [s, e] of spans) {
      if (s > end) {
        busy += e - s;
        end = e;
      } else if (e > end) {
        busy += e - end;
        end = e;
      }
    }
    return { busy, gaps: (to - from) / 1000 - busy, byOp };
  };

  const measure = async (tool) => {
    const w0 = Date.now();
    const t0 = performance.now();
    const out = await tool.evacuate();
    const t1 = performance.now();
    const back = await tool.restore();
    const t2 = performance.now();
    const w2 = Date.now();
    await checkHome();
    await checkAlone(w0, w2);
    const ids = [...out, ...back];
    return {
      evacuate: (t1 - t0) / 1000,
      restore: (t2 - t1) / 1000,
      total: (t2 - t0) / 1000,
      jobs: ids.length,
      ...(await jobStats(ids, w0, w2)),
    };
  };

  const checkHome = async () => {
    const node = await client.node(NODE);
    const away = (await client.instances()).filter((i) => HOME.includes(i.name) && i.pnode !== NODE).map((i) => i.name);
    if (node.offline || node.drained || away.length)
      throw new Error(
        `after a run ${NODE} is ${node.offline ? 'offline' : node.drained ? 'drained' : 'online'} and ${away.join(', ') || 'nothing'} is away`,
      );
  };

  /** Throws LabBusy when Ganeti received a job that is not ours between `from` and `to` (epoch ms). */
  const checkAlone = async (from, to) => {
    const foreign = (await client.jobsBulk()).filter((j) => {
      const at = j.received_ts ? (j.received_ts[0] + j.received_ts[1] / 1e6) * 1000 : 0;
      return at >= from && at <= to && !ours.has(j.id);
    });
    if (foreign.length)
      throw new LabBusy(
        `${foreign.length} other Ganeti job(s) ran on the lab meanwhile (${foreign
          .map((j) => j.summary?.[0] ?? j.id)
          .slice(0, 3)
          .join(', ')})`,
      );
  };

  let runs;
  let spoilt = '';
  try {
    for (;;) {
      const busy = await quiet();
      if (busy)
        return [
          skipped(
            FIGURE,
            TARGET,
            `lab not quiet within ${WAIT_S} s, ${spoilt ? `last attempt discarded (${spoilt})` : 'not touched'}: ${busy}`,
          ),
        ];
      try {
        runs = { nodevac: [], script: [] };
        for (let i = 0; i < PAIRS; i++) {
          // Alternate which goes first, so a drift of the lab over time weighs on both alike.
          const order = i % 2 === 0 ? ['nodevac', 'script'] : ['script', 'nodevac'];
          for (const name of order) runs[name].push(await measure(name === 'nodevac' ? nodevac : script));
        }
        break;
      } catch (err) {
        if (!(err instanceof LabBusy)) throw err;
        // Put back what we changed, then try again once the lab is quiet.
        spoilt = err.message;
        await restoreLab(client, follow, wasCandidate, ourTags());
      }
    }
  } finally {
    await restoreLab(client, follow, wasCandidate, ourTags()).catch((err) =>
      process.stderr.write(`restoring the lab failed: ${err.message}\n`),
    );
    await app.close();
    client.close();
    if (redisUrl) await dropNamespace(redisUrl, namespace).catch(() => undefined);
  }

  const ratios = runs.nodevac.map((n, i) => n.total / runs.script[i].total);
  const r = median(ratios);
  const per = (xs, k) => median(xs.map((x) => x[k])).toFixed(1);
  const ops = (xs) =>
    Object.keys(xs[0].byOp)
      .sort()
      .map((op) => `${op.replace(/^OP_/, '')} ${median(xs.map((x) => x.byOp[op] ?? 0)).toFixed(1)}`)
      .join(', ');
  const describe = (name, xs, halves) =>
    `${name} ${spread(
      xs.map((x) => x.total),
      's',
      1,
    )} [${halves} ${per(xs, 'evacuate')} + ${per(xs, 'restore')} s; ${xs[0].jobs} Ganeti jobs busy ${per(xs, 'busy')} s, ` +
    `own time between them ${per(xs, 'gaps')} s; job seconds by opcode: ${ops(xs)}]`;
  const detail =
    `median of ${ratios.length} alternated pairs (ratios ${ratios.map((x) => x.toFixed(3)).join(', ')}); ` +
    `${describe('nodevac', runs.nodevac, 'evacuate + return')}; ${describe('script', runs.script, 'evacuate + undo')}`;
  return [row(FIGURE, Math.round(r * 1000) / 1000, 'x', TARGET, r <= 1.03, detail)];
});

class LabBusy extends Error {}

/**
 * Undoes what this benchmark did, whatever happened: node3 online, undrained and candidate again, vm3a and vm3b
 * on it, no maintenance tag of its nodevac jobs. Nothing else on the lab is touched.
 */
async function restoreLab(client, follow, wasCandidate, ourTags) {
  let node = await client.node(NODE);
  if (node.offline) await follow(await client.modifyNode(NODE, { offline: false }));
  node = await client.node(NODE);
  if (node.drained) await follow(await client.modifyNode(NODE, { drained: false }));
  node = await client.node(NODE);
  if (wasCandidate && !node.master_candidate) await follow(await client.modifyNode(NODE, { master_candidate: true }));
  for (const name of HOME) {
    const inst = await client.instance(name);
    if (inst.pnode !== NODE)
      await follow(await client.migrateInstance(name, { targetNode: NODE, allowFailover: inst.admin_state !== 'up' }));
  }
  const tags = (await client.node(NODE)).tags.filter((t) => ourTags.includes(t));
  if (tags.length) await follow(await client.deleteNodeTags(NODE, tags));
}

/** The bench's own keys in the lab's Redis (jobs, events, audit of these runs) are removed afterwards. */
async function dropNamespace(url, namespace) {
  const redis = createClient({ url });
  await redis.connect();
  try {
    const keys = [];
    for await (const batch of redis.scanIterator({ MATCH: `${namespace}:*`, COUNT: 500 }))
      keys.push(...(Array.isArray(batch) ? batch : [batch]));
    if (keys.length) await redis.del(keys);
  } finally {
    await redis.quit();
  }
}

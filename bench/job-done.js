// Job-done detection: the simulator's job queue is paused, so a job finishes exactly when this script
// advances it, at a random moment 0.5–5.5 s after submission. Measured from that instant until
// (a) nodevac's follower (followJob: the /2/jobs/J/wait long-poll) resolves, and, side by side in the same
// runs, (b) a loop polling GET /2/jobs/J every 5 s, as the original nodEvac did, notices it.
import { performance } from 'node:perf_hooks';
import { dist, main, median, row, sleep, spread } from './lib.js';

const RUNS = Number(process.env.NODEVAC_BENCH_JOB_RUNS ?? 15);
const POLL_MS = 5000;
const TARGET_MS = 200;

main(async () => {
  const { startSimulator } = await dist('sim/index.js');
  const { RapiClient } = await dist('ganeti/client.js');
  const { followJob } = await dist('ganeti/follow.js');
  const sim = await startSimulator({ inventory: 'small' });
  try {
    const c = sim.config().clusters[0];
    const endpoint = {
      name: c.name,
      host: c.host,
      port: c.port,
      user: c.user,
      password: c.password,
      tls: c.tls,
      timeoutSeconds: 30,
      connections: 4,
    };
    const nodevac = new RapiClient(endpoint, { operator: 'bench' });
    // The baseline is another tool: its own client, so neither waits on the other's connections.
    const baseline = new RapiClient(endpoint, { operator: 'bench-poll' });
    const cluster = sim.world.clusters[0];
    const queue = cluster.jobs;
    const node = [...cluster.nodes.values()].find((n) => n.name !== cluster.master.name).name;
    queue.pause();
    const follow = [];
    const poll = [];
    try {
      for (let i = 0; i < RUNS; i++) {
        const id = await nodevac.addNodeTags(node, [`bench:job-done:${i}`]);
        const followed = followJob(nodevac, id).then((o) => ({ at: performance.now(), status: o.status }));
        const polled = (async () => {
          for (;;) {
            const job = await baseline.job(id);
            if (['success', 'error', 'canceled'].includes(job.status))
              return { at: performance.now(), status: job.status };
            await sleep(POLL_MS);
          }
        })();
        await sleep(500 + Math.random() * 5000);
        while (!queue.get(id).final) queue.advance(id);
        const doneAt = performance.now();
        const [f, p] = await Promise.all([followed, polled]);
        if (f.status !== 'success' || p.status !== 'success')
          throw new Error(`job ${id} ended ${f.status}/${p.status}`);
        follow.push(f.at - doneAt);
        poll.push(p.at - doneAt);
      }
    } finally {
      queue.resume();
      nodevac.close();
      baseline.close();
    }
    const m = median(follow);
    return [
      row(
        'job-done detection (follower)',
        Math.round(m * 10) / 10,
        'ms',
        `≤ ${TARGET_MS} ms median`,
        m <= TARGET_MS,
        `${spread(follow, 'ms', 1)}; simulator in-process, job finished at a random 0.5–5.5 s`,
      ),
      row(
        'job-done detection (5 s poll, nodEvac)',
        Math.round(median(poll)),
        'ms',
        'for comparison',
        null,
        `${spread(poll)}; same runs; follower ${Math.round(median(poll) / Math.max(m, 0.1))}x faster by medians`,
      ),
    ];
  } finally {
    await sim.close();
  }
});

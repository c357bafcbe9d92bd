// A separate nodevac process for the fault suites: the compiled engine, obeying the test over IPC.
// argv: dist directory of the compiled engine, JSON {config, runner}.
// A job it starts is driven here until it ends, the process is killed, or `close` detaches it.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, setupJson] = process.argv.slice(2);
const { configSchema } = await import(pathToFileURL(path.join(dist, 'config/schema.js')).href);
const { createApp } = await import(pathToFileURL(path.join(dist, 'app/index.js')).href);
const setup = JSON.parse(setupJson);
const app = await createApp({ config: configSchema.parse(setup.config), runner: setup.runner });
let plan;

const ops = {
  async plan({ request }) {
    plan = await app.plan(request);
    return { blockers: plan.blockers.map((b) => b.code) };
  },
  async start() {
    const job = await app.start(plan);
    return { id: job.id };
  },
  /** Cancels the job and waits until it ended, so the node is free again. */
  async finish({ id }) {
    await app.cancel(id);
    const job = await app.watch(id, () => undefined).done;
    return { state: job.state };
  },
  async driven() {
    return app.drivenJobs();
  },
  async close() {
    await app.close();
    return {};
  },
};

process.on('message', async (msg) => {
  try {
    process.send({ id: msg.id, ok: await ops[msg.op](msg) });
  } catch (err) {
    process.send({ id: msg.id, error: { name: err?.name ?? 'Error', message: String(err?.message ?? err) } });
  }
});
process.send({ ready: process.pid });

// A nodevac process that starts one job and keeps driving it until it is killed (adoption tests).
// argv: configFile kind node optionsJson
import { readFileSync } from 'node:fs';
const [configFile, kind, node, options] = process.argv.slice(2);
const { configSchema } = await import('../../dist/config/schema.js');
const { createApp } = await import('../../dist/app/index.js');
const { simDrivers } = await import('../../dist/sim/drivers.js');
const config = configSchema.parse(JSON.parse(readFileSync(configFile, 'utf8')));
const app = await createApp({ config, runner: { pollMs: 20, leaseMs: 1500 }, drivers: simDrivers(config.simulator) });
try {
  const job = await app.start(await app.plan({ kind, node, options: JSON.parse(options) }));
  process.stdout.write(`${JSON.stringify({ started: job.id })}\n`);
} catch (err) {
  process.stdout.write(`${JSON.stringify({ error: err.name, message: err.message })}\n`);
  await app.close();
  process.exit(err.name === 'NodeLockedError' ? 4 : 1);
}

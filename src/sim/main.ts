// Standalone simulator: node dist/sim/main.js [--inventory demo|small] [--scale C,N,I] [--config-out FILE] ...
// Prints one JSON line {config, controlUrl, clusters} once listening, runs until SIGTERM/SIGINT, then closes.
import { chmod, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startSimulator, type SimOptions } from './index.js';

const USAGE = `usage: node dist/sim/main.js [--inventory demo|small] [--scale CLUSTERS,NODES,INSTANCES] [--config-out FILE]
       [--job-duration-ms N] [--queue-delay-ms N] [--boot-delay-ms N] [--daemon-delay-ms N] [--soft-off-delay-ms N]
       [--wait-timeout-ms N] [--host ADDRESS] [--production]`;

class UsageError extends Error {}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} expects a number >= 0, got ${JSON.stringify(value)}`);
  return n;
}

function options(argv: string[]): { sim: SimOptions; configOut: string | undefined } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        inventory: { type: 'string' },
        scale: { type: 'string' },
        'config-out': { type: 'string' },
        'job-duration-ms': { type: 'string' },
        'queue-delay-ms': { type: 'string' },
        'boot-delay-ms': { type: 'string' },
        'daemon-delay-ms': { type: 'string' },
        'soft-off-delay-ms': { type: 'string' },
        'wait-timeout-ms': { type: 'string' },
        host: { type: 'string' },
        production: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help === true) throw new UsageError('');
  const sim: SimOptions = {};
  if (v.production === true) sim.production = true;
  if (v.inventory !== undefined) {
    if (v.inventory !== 'demo' && v.inventory !== 'small')
      throw new UsageError(`--inventory expects demo or small, got ${JSON.stringify(v.inventory)}`);
    sim.inventory = v.inventory;
  }
  if (v.scale !== undefined) {
    const parts = v.scale.split(',').map(Number);
    if (parts.length !== 3 || !parts.every((p) => Number.isInteger(p) && p > 0))
      throw new UsageError(`--scale expects CLUSTERS,NODES,INSTANCES (whole numbers), got ${JSON.stringify(v.scale)}`);
    sim.scale = { clusters: parts[0] ?? 1, nodes: parts[1] ?? 1, instances: parts[2] ?? 0 };
  }
  const set = <K extends keyof SimOptions>(key: K, value: SimOptions[K] | undefined) => {
    if (value !== undefined) sim[key] = value;
  };
  set('jobDurationMs', number('job-duration-ms', v['job-duration-ms']));
  set('queueDelayMs', number('queue-delay-ms', v['queue-delay-ms']));
  set('bootDelayMs', number('boot-delay-ms', v['boot-delay-ms']));
  set('daemonDelayMs', number('daemon-delay-ms', v['daemon-delay-ms']));
  set('softOffDelayMs', number('soft-off-delay-ms', v['soft-off-delay-ms']));
  set('waitTimeoutMs', number('wait-timeout-ms', v['wait-timeout-ms']));
  set('host', v.host);
  return { sim, configOut: v['config-out'] };
}

async function main(): Promise<void> {
  const { sim: opts, configOut } = options(process.argv.slice(2));
  const sim = await startSimulator(opts);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const config = sim.config();
  if (configOut !== undefined) {
    // The file holds (simulated) passwords: owner-only, also when it already existed.
    await writeFile(configOut, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    await chmod(configOut, 0o600);
  }
  process.stdout.write(JSON.stringify({ config, controlUrl: sim.controlUrl, clusters: sim.clusters }) + '\n');
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message !== '') process.stderr.write(`nodevac simulator: ${err.message}\n`);
    process.stderr.write(USAGE + '\n');
    process.exit(err.message === '' ? 0 : 2);
  }
  process.stderr.write(`nodevac simulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

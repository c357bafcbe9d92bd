// The engine end to end on the simulator: evacuate (full, power off), power on and return.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { configSchema } from '../../src/config/schema.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';

let sim: Simulator;
let dir: string;
let app: NodevacApp;

beforeAll(async () => {
  sim = await startSimulator({ inventory: 'small', jobDurationMs: 20, queueDelayMs: 5, bootDelayMs: 50, daemonDelayMs: 150, softOffDelayMs: 20 });
  dir = mkdtempSync(join(tmpdir(), 'nodevac-engine-'));
  const config = configSchema.parse({ ...sim.config(), store: { dir } });
  app = await createApp({ config, runner: { pollMs: 20, leaseMs: 3000 } });
});

afterAll(async () => {
  await app?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(kind: 'evacuate' | 'poweron', node: string, options: Record<string, unknown>) {
  const plan = await app.plan({ kind, node, options });
  expect(plan.blockers).toEqual([]);
  const job = await app.start(plan);
  const lines: string[] = [];
  const final = await app.watch(job.id, (e) => lines.push(`${e.type} ${e.message}`)).done;
  return { final, lines };
}

describe('engine on the simulator', () => {
  it('evacuates node2 fully, powers it off, then brings it back in its former role', async () => {
    const before = await app.listNodes();
    const n2 = before.find((r) => r.name.startsWith('node2.'))!;
    const { final, lines } = await run('evacuate', 'node2', { powerOff: true, full: true, shutdownNonMirrored: true, allowFailover: true });
    expect(final.state, lines.join('\n')).toBe('succeeded');
    const node = sim.world.clusters[0]!;
    void node;
    const after = (await app.listNodes(undefined, { waitForPing: true })).find((r) => r.name === n2.name)!;
    expect(after.role).toBe('offline');
    expect(after.primaryInstances).toBe(0);
    expect(after.ping).toBe('down');
    expect(await sim.power.status(n2.bmc!)).toBe('off');

    const back = await run('poweron', 'node2', { migrateBack: true });
    expect(back.final.state, back.lines.join('\n')).toBe('succeeded');
    const end = (await app.listNodes(undefined, { waitForPing: true })).find((r) => r.name === n2.name)!;
    expect(end.role).toBe(n2.role);
    // --full replaced the DRBD secondaries, so only the externally mirrored instance can come back.
    expect(end.primaryInstances).toBe(1);
    const audit = await app.audit({ node: n2.name });
    expect(audit.map((a) => `${a.action}:${a.result}`)).toEqual(['evacuate:started', 'evacuate:succeeded', 'poweron:started', 'poweron:succeeded']);
  });
});

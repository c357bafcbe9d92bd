// The engine against the real lab: real Ganeti 3.0, real BMCs through ipmitool, real ping, real Redis.
// node3 is evacuated and powered off, then powered on and returned with its instances; the lab ends as found.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type NodevacApp } from '../../src/app/index.js';
import { loadConfig } from '../../src/config/load.js';
import { openStore } from '../../src/store/index.js';
import { ganetiExec, requireLabOrSkip } from '../helpers/lab.js';

const lab = requireLabOrSkip('the engine lab tests (test/lab/engine.lab.test.ts)');
const NODE3 = 'node3.ganeti.test';

async function gntNodes(): Promise<Record<string, string[]>> {
  const out = await ganetiExec([
    'gnt-node',
    'list',
    '--no-headers',
    '--separator=|',
    '-o',
    'name,role,pinst_list,tags',
  ]);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => {
        const [n, ...rest] = l.split('|');
        return [n!, rest];
      }),
  );
}

(lab ? describe : describe.skip)('engine on the lab cluster', () => {
  let app: NodevacApp;

  beforeAll(async () => {
    const { config } = loadConfig(lab!.config, {});
    const store = await openStore({
      redis: (config.store as { redis: string }).redis,
      namespace: `nodevac-test-${randomBytes(3).toString('hex')}`,
    });
    app = await createApp({ config, store, runner: { pollMs: 500 } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses the master without submitting anything', async () => {
    const plan = await app.plan({ kind: 'evacuate', node: 'node1' });
    expect(plan.blockers.map((b) => b.code)).toContain('master-node');
    await expect(app.start(plan)).rejects.toThrow(/master/);
  });

  it('evacuates node3, powers it off, then powers it on and migrates its instances back', async () => {
    const before = await gntNodes();
    const evac = await app.start(await app.plan({ kind: 'evacuate', node: 'node3', options: { powerOff: true } }));
    const log: string[] = [];
    const done = await app.watch(evac.id, (e) => log.push(`${e.type} ${e.message}`)).done;
    expect(done.state, log.join('\n')).toBe('succeeded');
    const off = await gntNodes();
    expect(off[NODE3]![0]).toBe('O');
    expect(off[NODE3]![1]).toBe('');
    expect((await app.listNodes(undefined, { waitForPing: true })).find((r) => r.name === NODE3)!.ping).toBe('down');

    const back = await app.start(await app.plan({ kind: 'poweron', node: 'node3', options: { migrateBack: true } }));
    const log2: string[] = [];
    const done2 = await app.watch(back.id, (e) => log2.push(`${e.type} ${e.message}`)).done;
    expect(done2.state, log2.join('\n')).toBe('succeeded');
    const after = await gntNodes();
    expect(after[NODE3]![0]).toBe(before[NODE3]![0]);
    expect(after[NODE3]![1]!.split(',').sort()).toEqual(before[NODE3]![1]!.split(',').sort());
    expect(after[NODE3]![2]).toBe(before[NODE3]![2]);
    // Every Ganeti job nodevac submitted carries its reason.
    const jobs = await ganetiExec(['gnt-job', 'list', '--no-headers', '-o', 'id,summary']);
    expect(jobs).toContain('NODE_SET_PARAMS');
  }, 300_000);
});

// Reboot groups against Ganeti's own hroller: on Ganeti's htools test data (test/data/htools of ganeti/ganeti
// v3.0.2, copied to test/fixtures/htools) and on the demo clusters exported in the same text format. Every nodevac
// group must keep hroller's rules, and nodevac must not need more groups than hroller.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RapiInstance, RapiNode } from '../../src/ganeti/types.js';
import { groupViolations, rollGroups, rollModel, type RollGroupsInput } from '../../src/plan/roll-groups.js';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { rapi } from '../sim/helpers.js';
import { parseHtoolsText, toHtoolsText } from './htools-text.js';

const DATA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/htools');

/** hroller's answers (hroller 3.0.2, `hroller --no-headers -t FILE`), as its shelltests expect them. */
const HROLLER_GROUPS: Record<string, number> = {
  'hroller-full.data': 2,
  'hroller-nodegroups.data': 3,
  'hroller-nonredundant.data': 3,
  'hroller-online.data': 3,
  'multiple-tags.data': 2,
  'unique-reboot-order.data': 3,
};

function hrollerBinary(): string | undefined {
  try {
    execFileSync('hroller', ['--version'], { stdio: 'ignore' });
    return 'hroller';
  } catch {
    return undefined;
  }
}
const HROLLER = hrollerBinary();
if (!HROLLER) console.log('skipped: live comparison with hroller (install the Debian package ganeti-htools-3.0)');

function hroller(file: string): string[][] {
  const out = execFileSync(HROLLER!, ['--no-headers', '-t', file], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

function expectValid(model: Omit<RollGroupsInput, 'candidates'>, groups: string[][]): void {
  expect(groupViolations(groups, model.instances)).toEqual([]);
  const online = model.nodes.filter((n) => !n.offline).map((n) => n.name);
  expect(groups.flat().sort()).toEqual(online.sort());
}

describe('reboot groups on Ganeti htools test data', () => {
  for (const [file, expected] of Object.entries(HROLLER_GROUPS)) {
    it(`${file}: hroller's rules kept, no more groups than hroller (${expected})`, () => {
      const model = parseHtoolsText(readFileSync(path.join(DATA, file), 'utf8'));
      const result = rollGroups({ ...model, includeMaster: true });
      if (!result.ok) throw new Error(result.error);
      expectValid(model, result.groups);
      expect(result.groups.length).toBeLessThanOrEqual(expected);
      if (HROLLER) expect(result.groups.length).toBeLessThanOrEqual(hroller(path.join(DATA, file)).length);
      // The master, when rolled at all, is the last node of the last group (Hroller.masterLast).
      const master = model.nodes.find((n) => n.master)!.name;
      expect(result.groups.at(-1)!.at(-1)).toBe(master);
    });
  }

  it('leaves the master out by default and says how to roll it', () => {
    const model = parseHtoolsText(readFileSync(path.join(DATA, 'unique-reboot-order.data'), 'utf8'));
    const result = rollGroups(model);
    expect(result.ok && result.groups.flat()).not.toContain('node-01-001');
    expect(result.leftOut).toEqual([{ node: 'node-01-001', reason: expect.stringContaining('master-failover') }]);
  });

  it('cuts groups to maxParallel and keeps larger groups first', () => {
    const model = parseHtoolsText(readFileSync(path.join(DATA, 'hroller-full.data'), 'utf8'));
    const result = rollGroups({ ...model, maxParallel: 3 });
    if (!result.ok) throw new Error(result.error);
    expect(result.groups.map((g) => g.length)).toEqual([3, 3, 1]);
    expectValid({ ...model, nodes: model.nodes.filter((n) => !n.master) }, result.groups);
  });

  it('ignores offline nodes and says so', () => {
    const model = parseHtoolsText(readFileSync(path.join(DATA, 'hroller-online.data'), 'utf8'));
    model.nodes[1]!.offline = true;
    const result = rollGroups(model);
    expect(result.leftOut).toContainEqual({ node: 'node-01-002', reason: 'offline: nothing to roll' });
    expect(result.ok && result.groups.flat()).not.toContain('node-01-002');
  });

  it('refuses when non-redundant instances cannot fit anywhere', () => {
    const model = parseHtoolsText(readFileSync(path.join(DATA, 'hroller-nonredundant.data'), 'utf8'));
    for (const n of model.nodes) n.diskFree = 10;
    const result = rollGroups({ ...model, includeMaster: true });
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('not enough capacity') });
  });
});

describe('reboot groups on the demo clusters', () => {
  let sim: Simulator;
  let dir: string;
  beforeAll(async () => {
    sim = await startSimulator({ inventory: 'demo' });
    dir = mkdtempSync(path.join(os.tmpdir(), 'nodevac-htools-'));
  });
  afterAll(() => sim.close());

  for (const cluster of ['ams', 'fra']) {
    it(`${cluster}: hroller's rules kept${HROLLER ? ', no more groups than hroller' : ''}`, async () => {
      const c = rapi(sim, cluster);
      const [nodes, instances, info] = await Promise.all([
        c.get('/2/nodes?bulk=1'),
        c.get('/2/instances?bulk=1'),
        c.get('/2/info'),
      ]);
      const master = (info.json as { master: string }).master;
      const model = rollModel(nodes.json as RapiNode[], instances.json as RapiInstance[], master);
      const result = rollGroups({ ...model, includeMaster: true });
      if (!result.ok) throw new Error(result.error);
      expectValid(model, result.groups);
      if (HROLLER) {
        const file = path.join(dir, `${cluster}.data`);
        writeFileSync(file, toHtoolsText(nodes.json as RapiNode[], instances.json as RapiInstance[], master));
        expect(result.groups.length).toBeLessThanOrEqual(hroller(file).length);
      }
    });
  }
});

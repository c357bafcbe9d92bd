// A small world built for rule tests: five nodes (n1 master; n2, n3 candidates; pool size 3 so the pool is at
// its minimum), DRBD pairs, a plain and a file instance, externally mirrored ones, a stopped DRBD instance;
// and a simulator of it per test.
import { afterEach } from 'vitest';
import type { Inventory, InventoryInstance, InventoryNode } from '../../src/sim/index.js';
import { startSimulator, type SimOptions, type Simulator } from '../../src/sim/index.js';
import { rapi } from './helpers.js';

export const D = 't.example.org';
export const n = (i: number) => `n${i}.${D}`;
export const vm = (name: string) => `${name}.${D}`;

export function ruleInventory(
  overrides: { nodes?: Partial<Record<number, Partial<InventoryNode>>>; instances?: InventoryInstance[] } = {},
): Inventory {
  const nodes: InventoryNode[] = [1, 2, 3, 4, 5].map((i) => ({
    name: n(i),
    pip: `10.99.0.${i}`,
    master: i === 1,
    masterCandidate: i <= 3,
    memoryMb: 32768,
    nodeMemoryMb: 1024,
    diskMb: 500_000,
    diskUsedMb: 10_000,
    bmc: `n${i}-bmc.t.sim`,
    ...overrides.nodes?.[i],
  }));
  const instances: InventoryInstance[] = overrides.instances ?? [
    { name: vm('d1'), pnode: n(2), snode: n(3), diskTemplate: 'drbd', memoryMb: 4096 },
    { name: vm('d2'), pnode: n(4), snode: n(5), diskTemplate: 'drbd', memoryMb: 4096 },
    { name: vm('p1'), pnode: n(4), diskTemplate: 'plain', memoryMb: 2048 },
    { name: vm('f1'), pnode: n(5), diskTemplate: 'file', memoryMb: 1024 },
    { name: vm('x1'), pnode: n(2), diskTemplate: 'diskless', memoryMb: 1024 },
    { name: vm('s1'), pnode: n(3), diskTemplate: 'sharedfile', memoryMb: 2048 },
    { name: vm('r1'), pnode: n(3), diskTemplate: 'rbd', memoryMb: 2048 },
    { name: vm('down1'), pnode: n(3), snode: n(2), diskTemplate: 'drbd', memoryMb: 2048, adminState: 'down' },
  ];
  return { clusters: [{ name: 't', candidatePoolSize: 3, nodes, instances }] };
}

export function ruleSim(opts: SimOptions & { inventory?: Inventory } = {}): Promise<Simulator> {
  return startSimulator({
    inventory: ruleInventory(),
    jobDurationMs: 0,
    queueDelayMs: 0,
    bootDelayMs: 5,
    softOffDelayMs: 0,
    ...opts,
  });
}

/**
 * For a file whose tests each start their own simulator: returns `start(options)`, which starts a rule simulator
 * (ruleSim) and hands it with a client and its cluster's job queue; the simulator is closed after the test.
 */
export function simPerTest() {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  return async (opts: Parameters<typeof ruleSim>[0] = {}) => {
    sim = await ruleSim(opts);
    return { sim, c: rapi(sim), queue: sim.world.clusters[0]!.jobs };
  };
}

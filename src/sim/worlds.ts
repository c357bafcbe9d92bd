// The built-in worlds a simulator is built from: 'demo' (what `nodevac demo` shows), 'small' (fast tests), lab()
// (a copy of the real 3-node lab the RAPI fixtures were captured on) and scale() (generated, for load tests).
import type { DiskTemplate } from '../ganeti/types.js';
import type { Inventory, InventoryCluster, InventoryInstance, InventoryNode } from './inventory.js';

const GIB = 1024;

/** The real lab the fixtures in test/fixtures/rapi were captured on: 3 nodes, vm1a..vm3b, node1 master. */
export function labInventory(): Inventory {
  const nodeUuids = [
    '9365b856-302b-4a45-97c1-4334487b653a',
    '4351e335-2255-44a5-aa09-89740824973c',
    'e291aeb9-4f89-4765-a5b1-29252133cd0a',
  ];
  const ctimes = [1795543608.0193784, 1795543614.166603, 1795543617.7466497];
  const mtimes = [1795543623.767497, 1795543625.080303, 1795543624.47259];
  // [uuid, ctime, mtime] as recorded.
  const instIds: Record<string, [string, number, number]> = {
    vm1a: ['bc08ddb1-f0dd-4927-b21f-80d22342b5d3', 1795543626.9924223, 1795543628.184733],
    vm1b: ['93ff5ceb-2fa9-4f3c-bab5-0b98e0ff256d', 1795543629.903418, 1795543631.698052],
    vm2a: ['5af9a775-8d39-4515-b81d-8029cc36c76a', 1795543629.535988, 1795543632.35035],
    vm2b: ['5d808150-0c4f-460d-9d07-b31db3ccde7c', 1795543632.431613, 1795543634.063405],
    vm3a: ['acc48c30-bb89-4b95-9932-f81e282388d3', 1795543632.15032, 1795543633.721996],
    vm3b: ['817a45ee-8b83-493b-9fb3-74e50f681755', 1795543634.6458347, 1795543635.433312],
  };
  const nodes: InventoryNode[] = [1, 2, 3].map((n) => ({
    name: `node${n}.ganeti.test`,
    pip: `198.51.100.${10 + n}`,
    master: n === 1,
    masterCandidate: true,
    memoryMb: 24105,
    nodeMemoryMb: 187,
    diskMb: 258019,
    diskUsedMb: 258019 - 81281,
    cpus: 2,
    bmc: `node${n}-bmc.ganeti.test`,
    uuid: nodeUuids[n - 1],
    ctime: ctimes[n - 1],
    mtime: mtimes[n - 1],
    serial: 2,
  }));
  const instances: InventoryInstance[] = [];
  for (const n of [1, 2, 3]) {
    for (const [suffix, template] of [
      ['a', 'diskless'],
      ['b', 'sharedfile'],
    ] as const) {
      const short = `vm${n}${suffix}`;
      instances.push({
        name: `${short}.ganeti.test`,
        pnode: `node${n}.ganeti.test`,
        diskTemplate: template,
        memoryMb: 256,
        disksMb: template === 'diskless' ? [] : [1024],
        uuid: instIds[short]?.[0],
        ctime: instIds[short]?.[1],
        mtime: instIds[short]?.[2],
        serial: template === 'diskless' ? 2 : 3,
      });
    }
  }
  return {
    clusters: [
      {
        name: 'lab',
        fqdn: 'cluster.ganeti.test',
        candidatePoolSize: 10,
        hypervisor: 'fake',
        enabledDiskTemplates: ['diskless', 'file', 'sharedfile'],
        os: 'noop',
        uuid: 'b8bc94b5-925b-43be-b899-d41147935b6c',
        ctime: 1795543608.0193784,
        mtime: 1795543625.080303,
        groups: [{ name: 'default', uuid: '8f061db7-b2ce-48b8-8a3f-86d4e36f0fb2' }],
        hvOverheadMb: 278,
        nodes,
        instances,
      },
    ],
  };
}

/** One cluster, four nodes, a handful of instances of each kind that matters to an evacuation. */
export function smallInventory(): Inventory {
  const d = 'small.example.org';
  const node = (n: number, extra: Partial<InventoryNode> = {}): InventoryNode => ({
    name: `node${n}.${d}`,
    pip: `10.30.0.${10 + n}`,
    memoryMb: 64 * GIB,
    nodeMemoryMb: 2 * GIB,
    diskMb: 1800 * GIB,
    diskUsedMb: 40 * GIB,
    cpus: 16,
    bmc: `node${n}-bmc.small.sim`,
    ...extra,
  });
  return {
    clusters: [
      {
        name: 'small',
        candidatePoolSize: 10,
        nodes: [
          node(1, { master: true, masterCandidate: true }),
          node(2, { masterCandidate: true }),
          node(3, { masterCandidate: true }),
          node(4, { masterCandidate: true }),
        ],
        instances: [
          { name: `web1.${d}`, pnode: `node1.${d}`, snode: `node2.${d}`, diskTemplate: 'drbd', memoryMb: 4 * GIB },
          { name: `web2.${d}`, pnode: `node2.${d}`, snode: `node3.${d}`, diskTemplate: 'drbd', memoryMb: 4 * GIB },
          {
            name: `db1.${d}`,
            pnode: `node2.${d}`,
            snode: `node4.${d}`,
            diskTemplate: 'drbd',
            memoryMb: 8 * GIB,
            disksMb: [50 * GIB],
          },
          { name: `cache1.${d}`, pnode: `node3.${d}`, diskTemplate: 'plain', memoryMb: 2 * GIB },
          { name: `proxy1.${d}`, pnode: `node2.${d}`, diskTemplate: 'diskless', memoryMb: 1 * GIB },
          { name: `files1.${d}`, pnode: `node4.${d}`, diskTemplate: 'sharedfile', memoryMb: 2 * GIB },
          {
            name: `build1.${d}`,
            pnode: `node3.${d}`,
            snode: `node4.${d}`,
            diskTemplate: 'drbd',
            memoryMb: 2 * GIB,
            adminState: 'down',
          },
        ],
      },
    ],
  };
}

/** The demo world's node and instance builders for one site: names under `domain`, the site's hardware. */
function site(
  domain: string,
  hw: {
    net: string;
    memoryGib: number;
    diskGib: number;
    diskUsedGib: number;
    cpus: number;
    bmc: string;
    diskGibPerMemGib: number;
  },
) {
  const node = (n: number, extra: Partial<InventoryNode> = {}): InventoryNode => ({
    name: `node${n}.${domain}`,
    pip: `${hw.net}.${10 + n}`,
    memoryMb: hw.memoryGib * GIB,
    nodeMemoryMb: 4 * GIB,
    diskMb: hw.diskGib * GIB,
    diskUsedMb: hw.diskUsedGib * GIB,
    cpus: hw.cpus,
    cpuSockets: 2,
    cpuNodes: 2,
    bmc: `node${n}-bmc.${hw.bmc}`,
    ...extra,
  });
  const inst = (
    name: string,
    p: number,
    s: number | null,
    template: DiskTemplate,
    memGib: number,
    extra: Partial<InventoryInstance> = {},
  ): InventoryInstance => ({
    name: `${name}.${domain}`,
    pnode: `node${p}.${domain}`,
    ...(s === null ? {} : { snode: `node${s}.${domain}` }),
    diskTemplate: template,
    memoryMb: memGib * GIB,
    vcpus: Math.max(1, memGib / 4),
    disksMb: template === 'diskless' ? [] : [Math.max(20, memGib * hw.diskGibPerMemGib) * GIB],
    ...extra,
  });
  return [node, inst] as const;
}

/**
 * The demo world: two clusters. ams has a node holding a plain instance (node7), a DRBD pair whose peer is
 * drained (node5 -> node6) and a master-candidate pool at its minimum (pool size 3: master + 2 candidates).
 * fra mixes rbd, sharedfile, diskless and drbd and has an offline, powered-off node, alone in a second node group.
 */
export function demoInventory(): Inventory {
  const [amsNode, amsInst] = site('ams.example.org', {
    net: '10.10.0',
    memoryGib: 256,
    diskGib: 3600,
    diskUsedGib: 60,
    cpus: 48,
    bmc: 'ams.sim',
    diskGibPerMemGib: 10,
  });
  const [fraNode, fraInst] = site('fra.example.org', {
    net: '10.20.0',
    memoryGib: 384,
    diskGib: 4000, // room for the 600 and 900 GiB DRBD disks each node holds as primary and secondary
    diskUsedGib: 30,
    cpus: 64,
    bmc: 'fra.sim',
    diskGibPerMemGib: 8,
  });
  return {
    clusters: [
      {
        name: 'ams',
        candidatePoolSize: 3,
        nodes: [
          amsNode(1, { master: true, masterCandidate: true }),
          amsNode(2, { masterCandidate: true }),
          amsNode(3, { masterCandidate: true }),
          amsNode(4),
          amsNode(5),
          amsNode(6, { drained: true, tags: ['hw:ticket-4711'] }),
          amsNode(7),
        ],
        instances: [
          amsInst('web01', 1, 2, 'drbd', 8),
          amsInst('web02', 2, 3, 'drbd', 8),
          amsInst('web03', 3, 4, 'drbd', 8),
          amsInst('web04', 4, 5, 'drbd', 8),
          amsInst('web05', 5, 1, 'drbd', 8),
          amsInst('api01', 2, 4, 'drbd', 16),
          amsInst('api02', 4, 2, 'drbd', 16),
          amsInst('api03', 3, 1, 'drbd', 16),
          amsInst('db01', 2, 3, 'drbd', 64, { disksMb: [500 * GIB] }),
          amsInst('db02', 3, 2, 'drbd', 64, { disksMb: [500 * GIB] }),
          amsInst('db03', 5, 6, 'drbd', 32, { disksMb: [300 * GIB] }),
          amsInst('mq01', 4, 1, 'drbd', 8),
          amsInst('mq02', 1, 4, 'drbd', 8),
          amsInst('cache01', 7, null, 'plain', 24),
          amsInst('cache02', 5, null, 'plain', 24, { adminState: 'down' }),
          amsInst('scratch01', 7, null, 'file', 4),
          amsInst('mon01', 4, 5, 'drbd', 4),
          amsInst('mon02', 5, 4, 'drbd', 4),
          amsInst('log01', 2, 5, 'drbd', 12, { disksMb: [800 * GIB] }),
          amsInst('log02', 5, 2, 'drbd', 12, { disksMb: [800 * GIB] }),
          amsInst('ci01', 3, 5, 'drbd', 16),
          amsInst('ci02', 4, 3, 'drbd', 16),
          amsInst('ci03', 7, 3, 'drbd', 16),
          amsInst('dns01', 1, 3, 'drbd', 2),
          amsInst('dns02', 3, 4, 'drbd', 2),
          amsInst('mail01', 2, 1, 'drbd', 8),
          amsInst('vpn01', 4, 2, 'drbd', 2),
          amsInst('ldap01', 5, 3, 'drbd', 4),
          amsInst('ldap02', 3, 5, 'drbd', 4),
          amsInst('git01', 2, 4, 'drbd', 8, { disksMb: [400 * GIB] }),
          amsInst('wiki01', 7, 4, 'drbd', 4),
          amsInst('bastion01', 1, null, 'diskless', 2),
          amsInst('old-crm01', 4, 2, 'drbd', 8, { adminState: 'down' }),
          amsInst('backup01', 5, 4, 'drbd', 8, { disksMb: [1000 * GIB] }),
          amsInst('stats01', 7, 2, 'drbd', 16),
          amsInst('search01', 3, 2, 'drbd', 32),
        ],
      },
      {
        name: 'fra',
        candidatePoolSize: 10,
        groups: [{ name: 'rack12' }, { name: 'rack14' }],
        nodes: [
          fraNode(1, { master: true, masterCandidate: true }),
          fraNode(2, { masterCandidate: true }),
          fraNode(3, { masterCandidate: true }),
          fraNode(4, { masterCandidate: true }),
          fraNode(5, { offline: true, poweredOff: true, tags: ['hw:psu-replacement'], group: 'rack14' }),
        ],
        instances: [
          fraInst('app01', 1, null, 'rbd', 16),
          fraInst('app02', 2, null, 'rbd', 16),
          fraInst('app03', 3, null, 'rbd', 16),
          fraInst('app04', 4, null, 'rbd', 16),
          fraInst('app05', 2, null, 'rbd', 16),
          fraInst('app06', 3, null, 'rbd', 16),
          fraInst('edge01', 1, null, 'diskless', 4),
          fraInst('edge02', 2, null, 'diskless', 4),
          fraInst('edge03', 3, null, 'diskless', 4),
          fraInst('edge04', 4, null, 'diskless', 4),
          fraInst('share01', 2, null, 'sharedfile', 8),
          fraInst('share02', 4, null, 'sharedfile', 8),
          fraInst('pg01', 1, 2, 'drbd', 64, { disksMb: [600 * GIB] }),
          fraInst('pg02', 2, 3, 'drbd', 64, { disksMb: [600 * GIB] }),
          fraInst('pg03', 3, 4, 'drbd', 64, { disksMb: [600 * GIB] }),
          fraInst('redis01', 4, 1, 'drbd', 32),
          fraInst('redis02', 1, 3, 'drbd', 32),
          fraInst('kafka01', 2, 4, 'drbd', 32, { disksMb: [900 * GIB] }),
          fraInst('kafka02', 3, 1, 'drbd', 32, { disksMb: [900 * GIB] }),
          fraInst('kafka03', 4, 2, 'drbd', 32, { disksMb: [900 * GIB] }),
          fraInst('batch01', 1, null, 'rbd', 48),
          fraInst('batch02', 3, null, 'rbd', 48, { adminState: 'down' }),
          fraInst('ntp01', 4, null, 'diskless', 1),
          fraInst('tmp01', 2, null, 'plain', 8),
        ],
      },
    ],
  };
}

/** A generated world: `clusters` clusters of `nodes` nodes and `instances` instances each. */
export function scaleInventory(scale: { clusters: number; nodes: number; instances: number }): Inventory {
  const clusters: InventoryCluster[] = [];
  const templates: DiskTemplate[] = [
    'drbd',
    'drbd',
    'drbd',
    'drbd',
    'drbd',
    'drbd',
    'drbd',
    'rbd',
    'plain',
    'diskless',
  ];
  for (let c = 1; c <= scale.clusters; c++) {
    const cname = `c${String(c).padStart(2, '0')}`;
    const domain = `${cname}.example.org`;
    const nodeName = (n: number) => `node${String(n).padStart(3, '0')}.${domain}`;
    const nodes: InventoryNode[] = [];
    for (let n = 1; n <= scale.nodes; n++) {
      nodes.push({
        name: nodeName(n),
        pip: `10.${100 + c}.${Math.floor(n / 250)}.${(n % 250) + 1}`,
        master: n === 1,
        masterCandidate: n <= 10,
        memoryMb: 512 * GIB,
        nodeMemoryMb: 4 * GIB,
        diskMb: 7200 * GIB,
        diskUsedMb: 100 * GIB,
        cpus: 64,
        cpuSockets: 2,
        cpuNodes: 2,
        bmc: `node${String(n).padStart(3, '0')}-bmc.${cname}.sim`,
      });
    }
    const instances: InventoryInstance[] = [];
    for (let i = 0; i < scale.instances; i++) {
      const template = templates[i % templates.length] ?? 'drbd';
      const p = (i % scale.nodes) + 1;
      const s = ((i + 1 + Math.floor(i / scale.nodes)) % scale.nodes) + 1;
      instances.push({
        name: `vm${String(i + 1).padStart(5, '0')}.${domain}`,
        pnode: nodeName(p),
        ...(template === 'drbd' && s !== p ? { snode: nodeName(s) } : {}),
        diskTemplate: template === 'drbd' && s === p ? 'plain' : template,
        memoryMb: (2 + (i % 4) * 2) * GIB,
        vcpus: 2,
        disksMb: template === 'diskless' ? [] : [40 * GIB],
      });
    }
    clusters.push({ name: cname, candidatePoolSize: 10, nodes, instances });
  }
  return { clusters };
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DiskTemplate, RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import type { LockRecord } from '../jobs/types.js';
import {
  findNode,
  isMirrored,
  planEvacuation,
  planHasBlockers,
  planPowerOff,
  planReturn,
  roleWord,
  type PlanInput,
} from './planner.js';
import type { BlockerCode, Plan, PlanOptions, WarningCode } from './types.js';

// --- a tiny world builder, fields as /2/nodes?bulk=1 and /2/instances?bulk=1 send them (test/fixtures/rapi 010, 011)

const D = '.ganeti.test';
const GROUP = '8f061db7-b2ce-48b8-8a3f-86d4e36f0fb2';
const NOW = '2026-03-02T14:30:00.000Z';

function mkNode(short: string, over: Partial<RapiNode> = {}): RapiNode {
  const n = Number(short.replace(/\D/g, '')) || 9;
  const offline = over.offline ?? false;
  return {
    name: short + D,
    offline,
    master_candidate: true,
    drained: false,
    dtotal: offline ? null : 258019,
    dfree: offline ? null : 81281,
    sptotal: null,
    spfree: null,
    mtotal: offline ? null : 24105,
    mnode: offline ? null : 187,
    mfree: offline ? null : 23128,
    pinst_cnt: 0,
    sinst_cnt: 0,
    ctotal: offline ? null : 2,
    cnos: 2,
    cnodes: 1,
    csockets: 1,
    pip: `198.51.100.${10 + n}`,
    sip: `198.51.100.${10 + n}`,
    role: offline ? 'O' : 'C',
    pinst_list: [],
    sinst_list: [],
    master_capable: true,
    vm_capable: true,
    ndparams: { oob_program: '', spindle_count: 1, exclusive_storage: false, ssh_port: 22, cpu_speed: 1 },
    'group.uuid': GROUP,
    ctime: 1795543614.166603,
    mtime: 1795543625.080303,
    uuid: `00000000-0000-4000-8000-00000000000${n}`,
    serial_no: 2,
    tags: [`ipmi:${short}-bmc${D}`],
    ...(offline ? { master_candidate: false } : {}),
    ...over,
  };
}

function mkInst(short: string, pnode: string, template: DiskTemplate, over: Partial<RapiInstance> = {}): RapiInstance {
  const admin = over.admin_state ?? 'up';
  const running = admin === 'up' && (over.status ?? 'running') === 'running';
  const mem = 256;
  return {
    name: short + D,
    admin_state: admin,
    os: 'noop',
    pnode: pnode + D,
    snodes: [],
    disk_template: template,
    'disk.sizes': template === 'diskless' ? [] : [1024],
    beparams: {
      minmem: mem,
      maxmem: mem,
      vcpus: 1,
      auto_balance: true,
      always_failover: false,
      spindle_use: 1,
      memory: mem,
    },
    hvparams: {},
    oper_state: running,
    oper_ram: running ? mem : null,
    oper_vcpus: running ? 1 : null,
    status: admin === 'up' ? 'running' : admin === 'down' ? 'ADMIN_down' : 'ADMIN_offline',
    ctime: 1795543626.9924223,
    mtime: 1795543628.184733,
    uuid: `inst-${short}`,
    serial_no: 2,
    tags: [],
    ...over,
  };
}

const drbd = (short: string, pnode: string, snode: string, over: Partial<RapiInstance> = {}) =>
  mkInst(short, pnode, 'drbd', { snodes: [snode + D], ...over });

/** Fills the nodes' instance lists from the instances, as Ganeti reports them. */
function link(nodes: RapiNode[], instances: RapiInstance[]): RapiNode[] {
  return nodes.map((n) => {
    const p = instances.filter((i) => i.pnode === n.name).map((i) => i.name);
    const s = instances.filter((i) => i.snodes.includes(n.name)).map((i) => i.name);
    return { ...n, pinst_list: p, sinst_list: s, pinst_cnt: p.length, sinst_cnt: s.length };
  });
}

const INFO: RapiClusterInfo = {
  name: 'cluster' + D,
  master: 'node1' + D,
  software_version: '3.0.2',
  protocol_version: 3000000,
  candidate_pool_size: 10,
  default_iallocator: 'hail',
  enabled_disk_templates: ['diskless', 'file', 'sharedfile', 'plain', 'drbd'],
};

const OPTIONS: PlanOptions = {
  powerOff: false,
  full: false,
  shutdownNonMirrored: false,
  allowFailover: false,
  iallocator: null,
  targetNode: null,
  deadline: null,
  migrateBack: false,
  powerOn: false,
  returnToService: true,
};

interface WorldSpec {
  nodes?: RapiNode[];
  instances?: RapiInstance[];
  node?: string;
  options?: Partial<PlanOptions>;
  info?: Partial<RapiClusterInfo>;
  rest?: Partial<PlanInput>;
}

/** Three online nodes, node1 the master; nothing on them unless given. */
function world(spec: WorldSpec = {}): PlanInput {
  const instances = spec.instances ?? [];
  const nodes = spec.nodes ?? [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3')];
  return {
    cluster: 'lab',
    info: { ...INFO, ...spec.info },
    features: ['node-migrate-reqv1', 'instance-reinstall-reqv1', 'node-evac-res1', 'instance-create-reqv1'],
    nodes: link(nodes, instances),
    instances,
    node: (spec.node ?? 'node2') + D,
    options: { ...OPTIONS, ...spec.options },
    now: NOW,
    ...spec.rest,
  };
}

const codes = (plan: Plan) => plan.blockers.map((b) => b.code);
const warningCodes = (plan: Plan) => plan.warnings.map((w) => w.code);
const stepKinds = (plan: Plan) => plan.steps.map((s) => s.kind);
const actionOf = (plan: Plan, short: string) => {
  const a = plan.instances.find((i) => i.instance === short + D);
  if (!a) throw new Error(`no action for ${short}`);
  return a;
};
const blocker = (plan: Plan, code: BlockerCode) => {
  const b = plan.blockers.find((x) => x.code === code);
  if (!b) throw new Error(`no ${code} blocker in ${JSON.stringify(plan.blockers)}`);
  return b;
};
const warning = (plan: Plan, code: WarningCode, inst?: string) => {
  const w = plan.warnings.find((x) => x.code === code && (inst === undefined || x.instance === inst + D));
  if (!w) throw new Error(`no ${code} warning in ${JSON.stringify(plan.warnings)}`);
  return w;
};

const lock: LockRecord = {
  key: 'lab/node2' + D,
  token: 'secret-token',
  jobId: '7f3a',
  owner: { name: 'alice', user: 'alice', from: '10.0.0.7', host: 'jump1' },
  pid: 4242,
  host: 'jump1',
  since: '2026-03-02T14:02:10.000Z',
  expiresAt: Date.parse(NOW) + 60_000,
};

// --- helpers --------------------------------------------------------------------------------------------------

describe('roleWord', () => {
  it('maps role letters and flags to role words, the master by name', () => {
    expect(roleWord(mkNode('node1', { role: 'M' }), 'node1' + D)).toBe('master');
    expect(roleWord(mkNode('node1', { role: 'C' }), 'node1' + D)).toBe('master');
    expect(roleWord(mkNode('node2'), 'node1' + D)).toBe('master-candidate');
    expect(roleWord(mkNode('node2', { role: 'R', master_candidate: false }), 'node1' + D)).toBe('regular');
    expect(roleWord(mkNode('node2', { role: 'D', drained: true, master_candidate: false }), 'node1' + D)).toBe(
      'drained',
    );
    expect(roleWord(mkNode('node2', { offline: true }), 'node1' + D)).toBe('offline');
  });
});

describe('findNode', () => {
  const nodes = [mkNode('node1'), mkNode('node2'), mkNode('node12'), mkNode('web1')];

  it('finds the exact name, case-insensitively', () => {
    expect(findNode(nodes, 'node2' + D).node?.name).toBe('node2' + D);
    expect(findNode(nodes, 'NODE2' + D.toUpperCase()).node?.name).toBe('node2' + D);
  });

  it('resolves a unique short name at a dot boundary', () => {
    expect(findNode(nodes, 'node2')).toEqual({ node: nodes[1], candidates: [] });
    expect(findNode(nodes, 'node1.ganeti').node?.name).toBe('node1' + D);
  });

  it('never resolves a prefix inside a label', () => {
    const r = findNode(nodes, 'node');
    expect(r.node).toBeUndefined();
    expect(r.candidates).toEqual(['node1' + D, 'node12' + D, 'node2' + D]);
  });

  it('gives the ambiguous matches as candidates', () => {
    const twins = [mkNode('node2'), { ...mkNode('node2'), name: 'node2.other.test' }];
    expect(findNode(twins, 'node2')).toEqual({ candidates: ['node2' + D, 'node2.other.test'] });
  });

  it('suggests close names for an unknown one', () => {
    expect(findNode(nodes, 'nod2')).toEqual({ candidates: ['node2' + D] });
    expect(findNode(nodes, 'zzzzzz')).toEqual({ candidates: [] });
  });
});

describe('isMirrored / planHasBlockers', () => {
  it('knows which templates can leave the node', () => {
    for (const t of ['drbd', 'diskless', 'sharedfile', 'rbd', 'blockdev', 'ext', 'gluster'] as DiskTemplate[])
      expect(isMirrored(t)).toBe(true);
    for (const t of ['plain', 'file'] as DiskTemplate[]) expect(isMirrored(t)).toBe(false);
  });

  it('is true exactly when the plan has blockers', () => {
    expect(planHasBlockers(planEvacuation(world()))).toBe(false);
    expect(planHasBlockers(planEvacuation(world({ node: 'node1' })))).toBe(true);
  });
});

// --- evacuation -----------------------------------------------------------------------------------------------

describe('planEvacuation: the lab', () => {
  // As on the real lab: 3 nodes, each with one diskless and one sharedfile instance; node1 the master.
  const lab = () =>
    world({
      instances: ['node1', 'node2', 'node3'].flatMap((n) => [
        mkInst(`vm${n.slice(-1)}a`, n, 'diskless'),
        mkInst(`vm${n.slice(-1)}b`, n, 'sharedfile'),
      ]),
    });

  it('migrates node2s two instances through the iallocator, with no blocker', () => {
    const plan = planEvacuation(lab());
    expect(plan.blockers).toEqual([]);
    expect(plan.instances.map((a) => [a.instance, a.action, a.target])).toEqual([
      ['vm2a' + D, 'migrate', null],
      ['vm2b' + D, 'migrate', null],
    ]);
    expect(plan.instances[0]!.memory).toBe(256);
    expect(plan.iallocator).toBe('hail');
    expect(plan.warnings).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'tag', 'drain', 'move-primaries', 'verify-empty', 'offline', 'unlock']);
    expect(plan.steps[2]!.title).toBe('Drain node2 (no new instances)');
    expect(plan.steps[3]!.title).toBe('Live-migrate 2 primaries');
  });

  it('records the node: role, address, BMC, master, iallocator, time, kind', () => {
    const plan = planEvacuation(lab());
    expect(plan).toMatchObject({
      version: 1,
      kind: 'evacuate',
      cluster: 'lab',
      node: 'node2' + D,
      nodeRole: 'master-candidate',
      nodeAddress: '198.51.100.12',
      bmc: 'node2-bmc' + D,
      master: 'node1' + D,
      iallocator: 'hail',
      createdAt: NOW,
    });
    expect(plan.options).toEqual(OPTIONS);
  });

  it('blocks the master', () => {
    const plan = planEvacuation({ ...lab(), node: 'node1' + D });
    expect(codes(plan)).toEqual(['master-node']);
    expect(blocker(plan, 'master-node')).toEqual({
      code: 'master-node',
      message: `node1${D} is the cluster master; Ganeti changes the master role only via master-failover`,
      fix: 'fail the master over to another node first (gnt-cluster master-failover on the new master)',
    });
    expect(plan.nodeRole).toBe('master');
    // Ganeti may evacuate the master's instances; the plan still shows what would happen.
    expect(plan.instances.map((a) => a.action)).toEqual(['migrate', 'migrate']);
  });

  it('is deterministic: same plan for the same input, whatever the order of nodes and instances', () => {
    const a = planEvacuation(lab());
    expect(planEvacuation(lab())).toEqual(a);
    const shuffled = lab();
    shuffled.nodes.reverse();
    shuffled.instances.reverse();
    expect(planEvacuation(shuffled)).toEqual(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });
});

describe('plans from the recorded lab answers (test/fixtures/rapi)', () => {
  const body = <T>(file: string): T =>
    (
      JSON.parse(readFileSync(new URL(`../../test/fixtures/rapi/${file}`, import.meta.url), 'utf8')) as {
        response: { body: T };
      }
    ).response.body;
  const recorded = (
    nodes: RapiNode[],
    node: string,
    options: Partial<PlanOptions> = {},
    instances = '011-instances-bulk.json',
  ): PlanInput => ({
    cluster: 'lab',
    info: body<RapiClusterInfo>('007-info.json'),
    features: body<string[]>('008-features.json'),
    nodes,
    instances: body<RapiInstance[]>(instances),
    node,
    options: { ...OPTIONS, ...options },
    now: NOW,
  });
  const online = () => body<RapiNode[]>('010-nodes-bulk.json');

  it('evacuates node2 by migrating its diskless and sharedfile instances', () => {
    const plan = planEvacuation(recorded(online(), 'node2' + D, { powerOff: true }));
    expect(plan.blockers).toEqual([]);
    expect(plan.instances.map((a) => [a.instance, a.template, a.action])).toEqual([
      ['vm2a' + D, 'diskless', 'migrate'],
      ['vm2b' + D, 'sharedfile', 'migrate'],
    ]);
    expect(plan).toMatchObject({
      nodeRole: 'master-candidate',
      nodeAddress: '198.51.100.12',
      bmc: 'node2-bmc' + D,
      iallocator: 'hail',
    });
  });

  it('blocks the master node1', () => {
    expect(codes(planEvacuation(recorded(online(), 'node1' + D)))).toEqual(['master-node']);
  });

  it('powers off the emptied node2, and refuses the offline node2 that still held four instances', () => {
    const after = '098-instances-bulk-node2-offline.json';
    expect(
      planPowerOff(recorded(body<RapiNode[]>('105-nodes-bulk-final.json'), 'node2' + D, {}, after)).blockers,
    ).toEqual([]);
    // The node record (pinst_cnt) counts, even when the instance list was read at another moment.
    const offline = online().map((n) => (n.name === 'node2' + D ? body<RapiNode>('088-node2-offline.json') : n));
    const plan = planPowerOff(recorded(offline, 'node2' + D, {}, after));
    expect(codes(plan)).toEqual(['not-empty']);
    expect(plan.blockers[0]!.message).toMatch(/4 primary instances/);
  });
});

describe('planEvacuation: instance actions', () => {
  it('live-migrates a running DRBD primary to its secondary, which keeps redundancy degraded without --full', () => {
    const plan = planEvacuation(world({ instances: [drbd('db1', 'node2', 'node3', { oper_ram: 300 })] }));
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db1')).toMatchObject({
      relation: 'primary',
      action: 'migrate-to-secondary',
      target: 'node3' + D,
      memory: 300,
    });
    expect(warning(plan, 'redundancy-degraded', 'db1').message).toContain('node2' + D);
    expect(plan.steps.find((s) => s.kind === 'verify-empty')!.title).toBe(
      'Verify node2 holds no primary instances (1 DRBD secondary stays)',
    );
  });

  it('migrates an externally mirrored primary to the explicit target node', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('web', 'node2', 'rbd')], options: { targetNode: 'node3' + D } }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'web')).toMatchObject({ action: 'migrate', target: 'node3' + D });
  });

  it('fails over stopped mirrored instances (no permission needed, no downtime) and counts no memory for them', () => {
    const plan = planEvacuation(
      world({
        instances: [
          drbd('db1', 'node2', 'node3', { admin_state: 'down', status: 'ADMIN_down' }),
          mkInst('web', 'node2', 'diskless', { admin_state: 'offline', status: 'ADMIN_offline' }),
        ],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { mfree: 0 })],
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db1')).toMatchObject({ action: 'failover', target: 'node3' + D, memory: 0 });
    expect(actionOf(plan, 'web')).toMatchObject({ action: 'failover', target: null, memory: 0 });
    expect(warning(plan, 'instance-down', 'db1').message).toMatch(/no downtime/);
    expect(warning(plan, 'instance-down', 'web').message).toMatch(/fails it over/);
    expect(plan.steps.find((s) => s.kind === 'move-primaries')!.title).toBe('Fail over 2 primaries');
  });

  it('needs --allow-failover for a running always_failover instance, then warns of the downtime', () => {
    const inst = mkInst('legacy', 'node2', 'sharedfile', {
      beparams: { minmem: 256, maxmem: 1024, memory: 1024, always_failover: true },
    });
    const refused = planEvacuation(world({ instances: [inst] }));
    expect(codes(refused)).toEqual(['failover-needed']);
    expect(blocker(refused, 'failover-needed')).toMatchObject({ instance: 'legacy' + D });
    expect(actionOf(refused, 'legacy').action).toBe('blocked');

    const allowed = planEvacuation(
      world({ instances: [inst, mkInst('web', 'node2', 'diskless')], options: { allowFailover: true } }),
    );
    expect(allowed.blockers).toEqual([]);
    expect(actionOf(allowed, 'legacy')).toMatchObject({ action: 'failover', memory: 1024 });
    expect(warning(allowed, 'downtime', 'legacy').message).toMatch(/downtime/);
    expect(allowed.steps.find((s) => s.kind === 'move-primaries')!.title).toBe(
      'Move 2 primaries (1 live-migrated, 1 failed over)',
    );
  });

  it('needs a failover for an instance marked up that is not running', () => {
    const inst = mkInst('crashed', 'node2', 'diskless', { status: 'ERROR_down', oper_state: false, oper_ram: null });
    expect(codes(planEvacuation(world({ instances: [inst] })))).toEqual(['failover-needed']);
    const allowed = planEvacuation(world({ instances: [inst], options: { allowFailover: true } }));
    expect(actionOf(allowed, 'crashed')).toMatchObject({ action: 'failover', memory: 256 });
    expect(warning(allowed, 'instance-down', 'crashed').message).toMatch(/starts it/);
  });

  it('refuses a running non-mirrored instance unless --shutdown-non-mirrored', () => {
    const inst = mkInst('scratch', 'node2', 'plain');
    const refused = planEvacuation(world({ instances: [inst] }));
    expect(codes(refused)).toEqual(['non-mirrored-running']);
    expect(blocker(refused, 'non-mirrored-running').fix).toContain('--shutdown-non-mirrored');
    expect(actionOf(refused, 'scratch').action).toBe('blocked');

    const allowed = planEvacuation(
      world({ instances: [inst, mkInst('files', 'node2', 'file')], options: { shutdownNonMirrored: true } }),
    );
    expect(allowed.blockers).toEqual([]);
    expect(actionOf(allowed, 'scratch')).toMatchObject({ action: 'shutdown', target: null, memory: 0 });
    expect(stepKinds(allowed)).toEqual([
      'lock',
      'tag',
      'drain',
      'shutdown-non-mirrored',
      'verify-empty',
      'offline',
      'unlock',
    ]);
    expect(allowed.steps[3]!.title).toBe('Shut down 2 non-mirrored instances (restarted on return)');
  });

  it('leaves a stopped non-mirrored instance where it is', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('old', 'node2', 'file', { admin_state: 'down', status: 'ADMIN_down' })] }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'old')).toMatchObject({ action: 'leave-stopped', memory: 0 });
    expect(warning(plan, 'instance-down', 'old').message).toMatch(/stays stopped/);
    expect(stepKinds(plan)).not.toContain('move-primaries');
  });

  it('leaves DRBD secondaries without --full (redundancy degraded)', () => {
    const plan = planEvacuation(world({ instances: [drbd('db3', 'node3', 'node2')] }));
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3')).toMatchObject({ relation: 'secondary', action: 'leave-secondary', target: null });
    expect(warning(plan, 'redundancy-degraded', 'db3').message).toContain('without redundancy');
    expect(stepKinds(plan)).not.toContain('move-secondaries');
  });

  it('replaces DRBD secondaries with --full, including those of migrated primaries', () => {
    const plan = planEvacuation(
      world({
        instances: [drbd('db1', 'node2', 'node3'), drbd('db3', 'node3', 'node2')],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3'), mkNode('node4')],
        options: { full: true },
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3')).toMatchObject({ action: 'replace-secondary', target: null, memory: 0 });
    expect(actionOf(plan, 'db1').why).toMatch(/moves too/);
    expect(warningCodes(plan)).not.toContain('redundancy-degraded');
    expect(stepKinds(plan)).toEqual([
      'lock',
      'tag',
      'drain',
      'move-primaries',
      'move-secondaries',
      'verify-empty',
      'offline',
      'unlock',
    ]);
    expect(plan.steps[4]!.title).toBe('Move 2 DRBD secondaries off node2');
    expect(plan.steps[5]!.title).toBe('Verify node2 holds no instances');
  });

  it('uses the explicit target for a new DRBD secondary', () => {
    const plan = planEvacuation(
      world({
        instances: [drbd('db3', 'node3', 'node2')],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3'), mkNode('node4')],
        options: { full: true, targetNode: 'node4' + D },
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3')).toMatchObject({ action: 'replace-secondary', target: 'node4' + D });
  });

  it('refuses a non-DRBD instance that lists the node as secondary', () => {
    const plan = planEvacuation(
      world({ instances: [mkInst('odd', 'node3', 'sharedfile', { snodes: ['node2' + D] })] }),
    );
    expect(codes(plan)).toEqual(['unexpected-secondary']);
    expect(actionOf(plan, 'odd')).toMatchObject({ relation: 'secondary', action: 'blocked' });
  });
});

describe('planEvacuation: blockers', () => {
  it('reports an unknown node with close candidates', () => {
    const plan = planEvacuation(world({ node: 'nod2' }));
    expect(codes(plan)).toEqual(['unknown-node']);
    expect(blocker(plan, 'unknown-node').message).toBe(`cluster lab has no node nod2${D}; did you mean node2${D}?`);
    expect(plan.steps).toEqual([]);
    expect(planEvacuation(world({ node: 'xyzzy' })).blockers[0]!.message).toBe(`cluster lab has no node xyzzy${D}`);
  });

  it('refuses a DRBD primary whose secondary is drained or offline', () => {
    const nodes = [
      mkNode('node1', { role: 'M' }),
      mkNode('node2'),
      mkNode('node3', { drained: true, role: 'D', master_candidate: false }),
      mkNode('node4', { offline: true }),
    ];
    const plan = planEvacuation(
      world({ nodes, instances: [drbd('db1', 'node2', 'node3'), drbd('db2', 'node2', 'node4')] }),
    );
    expect(codes(plan)).toEqual(['drbd-peer-unavailable', 'drbd-peer-unavailable']);
    expect(plan.blockers[0]).toMatchObject({
      instance: 'db1' + D,
      message: `db1${D} (drbd) has its secondary node3${D} drained: it can only move to its secondary`,
    });
    expect(plan.blockers[0]!.fix).toMatch(/undrain/);
    expect(plan.blockers[1]!.message).toMatch(/offline/);
    expect(actionOf(plan, 'db1').action).toBe('blocked');
  });

  it('refuses replacing a secondary whose primary is offline (--full)', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { offline: true })];
    const plan = planEvacuation(world({ nodes, instances: [drbd('db3', 'node3', 'node2')], options: { full: true } }));
    expect(codes(plan)).toEqual(['drbd-peer-unavailable']);
  });

  it('checks the DRBD secondary can hold what migrates onto it', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { mfree: 400 })];
    const plan = planEvacuation(
      world({ nodes, instances: [drbd('db1', 'node2', 'node3'), drbd('db2', 'node2', 'node3')] }),
    );
    expect(codes(plan)).toEqual(['insufficient-memory']);
    expect(plan.blockers[0]!.message).toBe(
      `node3${D} has 400 MiB free but 512 MiB must move onto it: db1${D} (256 MiB), db2${D} (256 MiB)`,
    );
  });

  it('cannot count a target whose free memory is unknown', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { mfree: null })];
    const plan = planEvacuation(world({ nodes, instances: [drbd('db1', 'node2', 'node3')] }));
    expect(codes(plan)).toEqual(['insufficient-memory']);
    expect(plan.blockers[0]!.message).toMatch(/free memory is unknown/);
  });

  it('checks the eligible nodes can hold what the iallocator places, in total and one by one', () => {
    const nodes = [
      mkNode('node1', { role: 'M', mfree: 300 }),
      mkNode('node2'),
      mkNode('node3', { mfree: 300 }),
      mkNode('node4', { drained: true, role: 'D', master_candidate: false, mfree: 90000 }),
      mkNode('node5', { mfree: null }),
      mkNode('node6', { mfree: 90000, 'group.uuid': 'other-group' }),
    ];
    const big = mkInst('big', 'node2', 'diskless', { oper_ram: 512 });
    const plan = planEvacuation(world({ nodes, instances: [big, mkInst('small', 'node2', 'diskless')] }));
    expect(codes(plan)).toEqual(['insufficient-memory', 'insufficient-memory']);
    expect(plan.blockers[0]!.message).toBe(
      `the instances the iallocator must place need 768 MiB, the eligible nodes have 600 MiB free in total (node5${D} not counted: free memory unknown)`,
    );
    expect(plan.blockers[1]).toMatchObject({
      instance: 'big' + D,
      message: `big${D} needs 512 MiB but no eligible node has that much free (most: node1${D}, 300 MiB)`,
    });
  });

  it('counts what DRBD moves onto a node before the iallocator placement', () => {
    const nodes = [mkNode('node1', { role: 'M', mfree: 0 }), mkNode('node2'), mkNode('node3', { mfree: 400 })];
    const plan = planEvacuation(
      world({ nodes, instances: [drbd('db1', 'node2', 'node3'), mkInst('web', 'node2', 'diskless')] }),
    );
    expect(codes(plan)).toEqual(['insufficient-memory', 'insufficient-memory']);
    expect(plan.blockers[0]!.message).toMatch(/need 256 MiB, the eligible nodes have 144 MiB free/);
  });

  it('refuses when no node may receive instances', () => {
    const nodes = [mkNode('node1', { role: 'M', drained: true }), mkNode('node2')];
    const plan = planEvacuation(world({ nodes, instances: [mkInst('web', 'node2', 'diskless')] }));
    expect(codes(plan)).toEqual(['insufficient-memory']);
    expect(plan.blockers[0]!.message).toMatch(/no node can receive web/);
  });

  it('needs an iallocator when a move has no known target', () => {
    const noDefault = { info: { default_iallocator: '' } };
    const plan = planEvacuation(
      world({ ...noDefault, instances: [mkInst('web', 'node2', 'diskless'), drbd('db1', 'node2', 'node3')] }),
    );
    expect(plan.iallocator).toBeNull();
    expect(codes(plan)).toEqual(['no-iallocator']);
    expect(blocker(plan, 'no-iallocator').message).toContain('web' + D);
    expect(blocker(plan, 'no-iallocator').message).not.toContain('db1');
    // DRBD primaries go to their secondary: no iallocator needed.
    expect(planEvacuation(world({ ...noDefault, instances: [drbd('db1', 'node2', 'node3')] })).blockers).toEqual([]);
    // --full replaces the secondary of a migrated DRBD primary: that needs one.
    expect(
      codes(
        planEvacuation(world({ ...noDefault, instances: [drbd('db1', 'node2', 'node3')], options: { full: true } })),
      ),
    ).toEqual(['no-iallocator']);
    const given = planEvacuation(
      world({ ...noDefault, instances: [mkInst('web', 'node2', 'diskless')], options: { iallocator: 'hail' } }),
    );
    expect(given.blockers).toEqual([]);
    expect(given.iallocator).toBe('hail');
  });

  it('refuses a bad explicit target', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3', { drained: true })];
    const inst = [mkInst('web', 'node2', 'diskless')];
    expect(
      blocker(planEvacuation(world({ nodes, instances: inst, options: { targetNode: 'node3' + D } })), 'invalid-target')
        .message,
    ).toBe(`target node node3${D} is drained and cannot receive instances`);
    expect(codes(planEvacuation(world({ instances: inst, options: { targetNode: 'node2' + D } })))).toEqual([
      'invalid-target',
    ]);
    expect(codes(planEvacuation(world({ instances: inst, options: { targetNode: 'node9' + D } })))).toEqual([
      'invalid-target',
    ]);
  });

  it('needs the RAPI features of Ganeti 2.5', () => {
    const input = world();
    input.features = ['instance-create-reqv1'];
    const plan = planEvacuation(input);
    expect(codes(plan)).toEqual(['missing-feature']);
    expect(plan.blockers[0]!.message).toContain('node-evac-res1 and node-migrate-reqv1');
  });

  it('refuses a node another job holds, naming who, from where, since when and the job', () => {
    const plan = planEvacuation(world({ rest: { lock } }));
    expect(codes(plan)).toEqual(['node-locked']);
    expect(plan.blockers[0]!.message).toBe(
      `node2${D} is being worked on by alice (ssh from 10.0.0.7) since 14:02 UTC, job 7f3a`,
    );
    expect(JSON.stringify(plan)).not.toContain('secret-token');
    const local = planEvacuation(
      world({ rest: { lock: { ...lock, owner: { ...lock.owner, from: null }, since: '2026-03-01T09:05:00.000Z' } } }),
    );
    expect(local.blockers[0]!.message).toBe(
      `node2${D} is being worked on by alice (on jump1) since 2026-03-01 09:05 UTC, job 7f3a`,
    );
  });

  it('ignores a lock whose lease expired', () => {
    expect(planEvacuation(world({ rest: { lock: { ...lock, expiresAt: Date.parse(NOW) - 1 } } })).blockers).toEqual([]);
  });

  it('refuses everything on a read-only cluster', () => {
    const plan = planEvacuation(world({ rest: { readOnly: true } }));
    expect(codes(plan)).toEqual(['read-only']);
    expect(codes(planEvacuation(world({ node: 'xyzzy', rest: { readOnly: true } })))).toEqual([
      'unknown-node',
      'read-only',
    ]);
  });

  it('needs an ipmi tag to power off, and only one', () => {
    const untagged = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: ['rack:r1'] }), mkNode('node3')];
    expect(planEvacuation(world({ nodes: untagged })).blockers).toEqual([]);
    const plan = planEvacuation(world({ nodes: untagged, options: { powerOff: true } }));
    expect(plan.bmc).toBeNull();
    expect(blocker(plan, 'no-bmc-tag')).toMatchObject({ fix: `gnt-node add-tags node2${D} ipmi:<bmc-host>` });
    const twice = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: ['ipmi:a', 'ipmi:b'] }), mkNode('node3')];
    expect(blocker(planEvacuation(world({ nodes: twice, options: { powerOff: true } })), 'no-bmc-tag').message).toMatch(
      /2 ipmi: tags \(a, b\)/,
    );
  });

  it('reads the BMC with a configured tag prefix', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: ['bmc=10.1.0.12'] }), mkNode('node3')];
    const plan = planEvacuation(world({ nodes, options: { powerOff: true }, rest: { bmcTagPrefix: 'bmc=' } }));
    expect(plan.blockers).toEqual([]);
    expect(plan.bmc).toBe('10.1.0.12');
  });
});

describe('planEvacuation: warnings and steps', () => {
  it('warns when draining a master candidate makes Ganeti promote another node', () => {
    const nodes = [
      mkNode('node1', { role: 'M' }),
      mkNode('node2'),
      mkNode('node3'),
      mkNode('node4', { role: 'R', master_candidate: false }),
    ];
    const plan = planEvacuation(world({ nodes, info: { candidate_pool_size: 3 } }));
    expect(warningCodes(plan)).toEqual(['auto-promote']);
    expect(plan.warnings[0]!.message).toMatch(/leaves 2 candidates where the pool wants 3/);
    // With the pool as large as the other master-capable nodes allow, nothing is promoted.
    expect(planEvacuation(world({ nodes, info: { candidate_pool_size: 2 } })).warnings).toEqual([]);
    // A regular node is not a candidate.
    expect(planEvacuation(world({ nodes, node: 'node4', info: { candidate_pool_size: 3 } })).warnings).toEqual([]);
  });

  it('warns that a drained node stays drained and an offline node stays offline; the steps stay', () => {
    const drained = planEvacuation(
      world({
        nodes: [
          mkNode('node1', { role: 'M' }),
          mkNode('node2', { drained: true, role: 'D', master_candidate: false }),
          mkNode('node3'),
        ],
      }),
    );
    expect(warningCodes(drained)).toEqual(['already-drained']);
    expect(drained.nodeRole).toBe('drained');
    expect(drained.steps[2]).toEqual({ kind: 'drain', title: 'Drain node2 (already drained)' });

    const offline = planEvacuation(
      world({ nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')] }),
    );
    expect(warningCodes(offline)).toEqual(['already-offline']);
    expect(offline.nodeRole).toBe('offline');
    expect(stepKinds(offline)).toContain('offline');
  });

  it('fails over the instances of an offline node only with --allow-failover', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
    const inst = mkInst('web', 'node2', 'diskless', { status: 'ERROR_nodeoffline', oper_state: null, oper_ram: null });
    expect(codes(planEvacuation(world({ nodes, instances: [inst] })))).toEqual(['failover-needed']);
    const allowed = planEvacuation(world({ nodes, instances: [inst], options: { allowFailover: true } }));
    expect(allowed.blockers).toEqual([]);
    expect(actionOf(allowed, 'web')).toMatchObject({ action: 'failover', memory: 256 });
  });

  it('orders every step of a full evacuation with power-off', () => {
    const plan = planEvacuation(
      world({
        instances: [
          mkInst('web', 'node2', 'diskless'),
          mkInst('scratch', 'node2', 'plain'),
          drbd('db3', 'node3', 'node2'),
        ],
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2'), mkNode('node3'), mkNode('node4')],
        options: { full: true, powerOff: true, shutdownNonMirrored: true },
      }),
    );
    expect(plan.blockers).toEqual([]);
    expect(plan.steps).toEqual([
      { kind: 'lock', title: 'Lock node2 for this job' },
      { kind: 'tag', title: 'Tag node2 as under maintenance' },
      { kind: 'drain', title: 'Drain node2 (no new instances)' },
      { kind: 'move-primaries', title: 'Live-migrate 1 primary' },
      { kind: 'shutdown-non-mirrored', title: 'Shut down 1 non-mirrored instance (restarted on return)' },
      { kind: 'move-secondaries', title: 'Move 1 DRBD secondary off node2' },
      { kind: 'verify-empty', title: 'Verify node2 holds no instances' },
      { kind: 'offline', title: 'Mark node2 offline' },
      { kind: 'power-off', title: `Power off node2 through its BMC node2-bmc${D}` },
      { kind: 'verify-off', title: 'Verify node2 is powered off' },
      { kind: 'unlock', title: 'Unlock node2' },
    ]);
    expect(plan.instances.map((a) => a.instance)).toEqual(['scratch' + D, 'web' + D, 'db3' + D]);
  });
});

// --- return ---------------------------------------------------------------------------------------------------

describe('planReturn', () => {
  const offlineNode2 = () => [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];

  it('powers on, waits, brings back online, undrains, restarts, migrates back, untags, unlocks', () => {
    const input = {
      ...world({
        nodes: offlineNode2(),
        instances: [
          mkInst('scratch', 'node2', 'plain', { status: 'ERROR_nodeoffline', oper_ram: null }),
          drbd('db1', 'node3', 'node2'),
          mkInst('web', 'node3', 'sharedfile'),
          drbd('db9', 'node3', 'node1'),
        ],
        options: { powerOn: true, migrateBack: true },
      }),
      stopped: ['scratch' + D, 'gone' + D],
      moved: {
        ['db1' + D]: 'node2' + D,
        ['web' + D]: 'node2' + D,
        ['db9' + D]: 'node2' + D,
        ['vanished' + D]: 'node2' + D,
      },
    };
    const plan = planReturn(input);
    expect(plan.kind).toBe('poweron');
    expect(plan.blockers).toEqual([]);
    expect(plan.nodeRole).toBe('offline');
    expect(stepKinds(plan)).toEqual([
      'lock',
      'power-on',
      'wait-ping',
      'de-offline',
      'undrain',
      'restart-instances',
      'migrate-back',
      'untag',
      'unlock',
    ]);
    expect(plan.steps.find((s) => s.kind === 'wait-ping')!.title).toBe('Wait until node2 answers ping (198.51.100.12)');
    expect(plan.instances.map((a) => [a.instance, a.action, a.target])).toEqual([
      ['scratch' + D, 'start', null],
      ['db1' + D, 'migrate-to-secondary', 'node2' + D],
      ['web' + D, 'migrate', 'node2' + D],
    ]);
    expect(warning(plan, 'instance-missing', 'gone').message).toMatch(/shut down/);
    expect(warning(plan, 'instance-missing', 'vanished').message).toMatch(/moved off/);
    expect(warning(plan, 'not-migrated-back', 'db9').message).toMatch(/no longer its DRBD secondary/);
    expect(planReturn(input)).toEqual(plan);
  });

  it('without power-on or migrate-back: kind return, no power-on, no migrate-back, no BMC needed', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true, tags: [] }), mkNode('node3')];
    const plan = planReturn({
      ...world({ nodes, instances: [mkInst('web', 'node3', 'diskless')] }),
      moved: { ['web' + D]: 'node2' + D },
    });
    expect(plan.kind).toBe('return');
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'wait-ping', 'de-offline', 'undrain', 'untag', 'unlock']);
    expect(plan.instances).toEqual([]);
  });

  it('fails stopped instances over back, and others that need a failover only with --allow-failover', () => {
    const instances = [
      mkInst('down', 'node3', 'diskless', { admin_state: 'down', status: 'ADMIN_down' }),
      mkInst('legacy', 'node3', 'diskless', { beparams: { maxmem: 512, always_failover: true } }),
    ];
    const moved = { ['down' + D]: 'node2' + D, ['legacy' + D]: 'node2' + D };
    const plan = planReturn({ ...world({ nodes: offlineNode2(), instances, options: { migrateBack: true } }), moved });
    expect(plan.instances.map((a) => [a.instance, a.action])).toEqual([['down' + D, 'failover']]);
    expect(warning(plan, 'not-migrated-back', 'legacy').message).toMatch(/--allow-failover/);
    const allowed = planReturn({
      ...world({ nodes: offlineNode2(), instances, options: { migrateBack: true, allowFailover: true } }),
      moved,
    });
    expect(actionOf(allowed, 'legacy')).toMatchObject({ action: 'failover', target: 'node2' + D, memory: 512 });
    expect(warning(allowed, 'downtime', 'legacy').message).toMatch(/downtime/);
  });

  it('returns the master, but not for an unknown, locked or read-only node, nor power-on without a BMC', () => {
    expect(planReturn(world({ node: 'node1' })).blockers).toEqual([]);
    expect(codes(planReturn(world({ node: 'nosuch' })))).toEqual(['unknown-node']);
    expect(codes(planReturn(world({ rest: { lock } })))).toEqual(['node-locked']);
    expect(codes(planReturn(world({ rest: { readOnly: true } })))).toEqual(['read-only']);
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: [] }), mkNode('node3')];
    expect(codes(planReturn(world({ nodes, options: { powerOn: true } })))).toEqual(['no-bmc-tag']);
  });
});

// --- power-off ------------------------------------------------------------------------------------------------

describe('planPowerOff', () => {
  it('offlines an empty node, then powers it off and checks', () => {
    const plan = planPowerOff(world());
    expect(plan.kind).toBe('poweroff');
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'offline', 'power-off', 'verify-off', 'unlock']);
  });

  it('skips the offline step for an offline node', () => {
    const plan = planPowerOff(
      world({ nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')] }),
    );
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'power-off', 'verify-off', 'unlock']);
    expect(warningCodes(plan)).toEqual(['already-offline']);
  });

  it('refuses a node with primary instances, offline or not', () => {
    const instances = [mkInst('web', 'node2', 'diskless')];
    const plan = planPowerOff(world({ instances }));
    expect(codes(plan)).toEqual(['not-empty']);
    expect(plan.blockers[0]!.message).toBe(`node2${D} still has 1 primary instance: web${D}`);
    const offline = planPowerOff(
      world({
        instances,
        nodes: [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')],
      }),
    );
    expect(codes(offline)).toEqual(['not-empty']);
  });

  it('refuses the master, a locked or read-only node, and a node without BMC', () => {
    expect(codes(planPowerOff(world({ node: 'node1' })))).toEqual(['master-node']);
    expect(codes(planPowerOff(world({ rest: { lock } })))).toEqual(['node-locked']);
    expect(codes(planPowerOff(world({ rest: { readOnly: true } })))).toEqual(['read-only']);
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: [] }), mkNode('node3')];
    expect(codes(planPowerOff(world({ nodes })))).toEqual(['no-bmc-tag']);
  });

  it('warns about DRBD secondaries left behind and a candidate promotion', () => {
    const nodes = [
      mkNode('node1', { role: 'M' }),
      mkNode('node2'),
      mkNode('node3'),
      mkNode('node4', { role: 'R', master_candidate: false }),
    ];
    const plan = planPowerOff(
      world({ nodes, instances: [drbd('db3', 'node3', 'node2')], info: { candidate_pool_size: 3 } }),
    );
    expect(plan.blockers).toEqual([]);
    expect(actionOf(plan, 'db3').action).toBe('leave-secondary');
    expect(warningCodes(plan)).toEqual(['redundancy-degraded', 'auto-promote']);
  });
});

// --- power on without return, BMC tags, instances shared with other jobs -----------------------------------

describe('poweron --no-return', () => {
  it('powers on and waits for ping only; nothing restarted or moved back, and it says the node stays offline', () => {
    const nodes = [mkNode('node1', { role: 'M' }), mkNode('node2', { offline: true }), mkNode('node3')];
    const instances = [mkInst('cache', 'node2', 'plain'), drbd('db', 'node3', 'node2')];
    const plan = planReturn({
      ...world({ nodes, instances, options: { powerOn: true, returnToService: false, migrateBack: true } }),
      stopped: ['cache' + D],
      moved: { ['db' + D]: 'node2' + D },
    });
    expect(plan.kind).toBe('poweron');
    expect(plan.blockers).toEqual([]);
    expect(stepKinds(plan)).toEqual(['lock', 'power-on', 'wait-ping', 'unlock']);
    expect(plan.instances).toEqual([]);
    expect(warning(plan, 'stays-offline').message).toBe(
      `node2${D} is powered on but stays offline (--no-return); nodevac return node2${D} brings it back into service`,
    );
  });
});

describe('the BMC tag', () => {
  const withTag = (tag: string) => [mkNode('node1', { role: 'M' }), mkNode('node2', { tags: [tag] }), mkNode('node3')];

  it('blocks power actions when the tag names no host, before anything is changed', () => {
    for (const tag of ['ipmi:host;reboot', 'ipmi:$(reboot)', 'ipmi:-oProxyCommand=x', 'ipmi:a b']) {
      const off = planPowerOff(world({ nodes: withTag(tag) }));
      expect(codes(off), tag).toEqual(['bad-bmc-tag']);
      expect(off.bmc).toBeNull();
      expect(blocker(off, 'bad-bmc-tag').message).toBe(
        `node2${D}'s tag ${JSON.stringify(tag)} does not name a host: a BMC is a host name or IP address (letters, digits, dots, hyphens, colons)`,
      );
      expect(codes(planEvacuation(world({ nodes: withTag(tag), options: { powerOff: true } })))).toEqual([
        'bad-bmc-tag',
      ]);
      expect(codes(planReturn(world({ nodes: withTag(tag), options: { powerOn: true } })))).toEqual(['bad-bmc-tag']);
    }
  });

  it('does not matter for an evacuation without power off', () => {
    expect(planEvacuation(world({ nodes: withTag('ipmi:host;reboot') })).blockers).toEqual([]);
  });

  it('accepts host names and IP addresses', () => {
    for (const tag of ['ipmi:node2-bmc.example.org', 'ipmi:10.0.0.2', 'ipmi:fe80::1'])
      expect(planPowerOff(world({ nodes: withTag(tag) })).blockers, tag).toEqual([]);
  });
});

describe('instances shared with another active job', () => {
  const instances = [drbd('db', 'node2', 'node3'), mkInst('web', 'node3', 'diskless')];
  const other = {
    id: 'abcd1234',
    kind: 'evacuate' as const,
    node: 'node3' + D,
    owner: 'alice (on jump1)',
    instances: ['db' + D, 'web' + D],
  };

  it('blocks every kind of job that would touch an instance another job on another node is handling', () => {
    const evac = planEvacuation(world({ instances, rest: { activeJobs: [other] } }));
    expect(codes(evac)).toEqual(['instance-busy']);
    expect(blocker(evac, 'instance-busy')).toEqual({
      code: 'instance-busy',
      instance: 'db' + D,
      message: `db${D} is also part of job abcd1234 (evacuate of node3${D} by alice (on jump1)), which is still active`,
      fix: 'wait for job abcd1234 to finish (nodevac job abcd1234 --follow), then plan again',
    });
    expect(
      codes(planPowerOff(world({ instances: [drbd('db', 'node3', 'node2')], rest: { activeJobs: [other] } }))),
    ).toEqual(['instance-busy']);
  });

  it('ignores jobs on the same node (its lock decides) and jobs sharing nothing', () => {
    expect(
      planEvacuation(world({ instances, rest: { activeJobs: [{ ...other, node: 'node2' + D }] } })).blockers,
    ).toEqual([]);
    expect(
      planEvacuation(world({ instances, rest: { activeJobs: [{ ...other, instances: ['web' + D] }] } })).blockers,
    ).toEqual([]);
  });
});

// The planner tests' world: nodes and instances with the fields /2/nodes?bulk=1 and /2/instances?bulk=1 send
// (test/fixtures/rapi 010, 011), and small readers of a plan. Shared by the planner's test files.
import type { DiskTemplate, RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import type { NodeHold, PlanInput } from './input.js';
import { DEFAULT_PLAN_OPTIONS } from './options.js';
import type { BlockerCode, Plan, PlanOptions, WarningCode } from './types.js';

export const D = '.ganeti.test';
export const GROUP = '8f061db7-b2ce-48b8-8a3f-86d4e36f0fb2';
export const NOW = '2026-03-02T14:30:00.000Z';

export function mkNode(short: string, over: Partial<RapiNode> = {}): RapiNode {
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

export function mkInst(
  short: string,
  pnode: string,
  template: DiskTemplate,
  over: Partial<RapiInstance> = {},
): RapiInstance {
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

/** The candidate-pool cluster: node1 the master, node2 and node3 candidates, node4 a regular node. */
export const candidatePool = (): RapiNode[] => [
  mkNode('node1', { role: 'M' }),
  mkNode('node2'),
  mkNode('node3'),
  mkNode('node4', { role: 'R', master_candidate: false }),
];

export const drbd = (short: string, pnode: string, snode: string, over: Partial<RapiInstance> = {}) =>
  mkInst(short, pnode, 'drbd', { snodes: [snode + D], ...over });

/** Fills the nodes' instance lists from the instances, as Ganeti reports them. */
export function link(nodes: RapiNode[], instances: RapiInstance[]): RapiNode[] {
  return nodes.map((n) => {
    const p = instances.filter((i) => i.pnode === n.name).map((i) => i.name);
    const s = instances.filter((i) => i.snodes.includes(n.name)).map((i) => i.name);
    return { ...n, pinst_list: p, sinst_list: s, pinst_cnt: p.length, sinst_cnt: s.length };
  });
}

export const INFO: RapiClusterInfo = {
  name: 'cluster' + D,
  master: 'node1' + D,
  software_version: '3.0.2',
  protocol_version: 3000000,
  candidate_pool_size: 10,
  default_iallocator: 'hail',
  enabled_disk_templates: ['diskless', 'file', 'sharedfile', 'plain', 'drbd'],
};

export const OPTIONS: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, powerOn: false };

export interface WorldSpec {
  nodes?: RapiNode[];
  instances?: RapiInstance[];
  node?: string;
  options?: Partial<PlanOptions>;
  info?: Partial<RapiClusterInfo>;
  rest?: Partial<PlanInput>;
}

/** Three online nodes, node1 the master; nothing on them unless given. */
export function world(spec: WorldSpec = {}): PlanInput {
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

export const codes = (plan: Plan) => plan.blockers.map((b) => b.code);
export const warningCodes = (plan: Plan) => plan.warnings.map((w) => w.code);
export const stepKinds = (plan: Plan) => plan.steps.map((s) => s.kind);
export const actionOf = (plan: Plan, short: string) => {
  const a = plan.instances.find((i) => i.instance === short + D);
  if (!a) throw new Error(`no action for ${short}`);
  return a;
};
export const blocker = (plan: Plan, code: BlockerCode) => {
  const b = plan.blockers.find((x) => x.code === code);
  if (!b) throw new Error(`no ${code} blocker in ${JSON.stringify(plan.blockers)}`);
  return b;
};
export const warning = (plan: Plan, code: WarningCode, inst?: string) => {
  const w = plan.warnings.find((x) => x.code === code && (inst === undefined || x.instance === inst + D));
  if (!w) throw new Error(`no ${code} warning in ${JSON.stringify(plan.warnings)}`);
  return w;
};

export const lock: NodeHold = {
  jobId: '7f3a',
  owner: { name: 'alice', from: '10.0.0.7' },
  host: 'jump1',
  since: '2026-03-02T14:02:10.000Z',
  expiresAt: Date.parse(NOW) + 60_000,
};

// Fixtures for step handler tests: Ganeti's nodes and instances as RAPI reports them, a job with its plan, and
// the runner's settings; the fake context (fake-context.ts) serves them.
import type { RapiInstance, RapiNode } from '../../ganeti/types.js';
import type { JobRecord } from '../../jobs/types.js';
import { DEFAULT_PLAN_OPTIONS } from '../../plan/options.js';
import type { InstanceAction, Plan } from '../../plan/types.js';
import type { RunnerSettings } from '../types.js';

export const NODE = 'node1.test';

export function node(name: string, patch: Partial<RapiNode> = {}): RapiNode {
  return {
    name,
    role: 'R',
    offline: false,
    drained: false,
    master_candidate: false,
    master_capable: true,
    vm_capable: true,
    pip: '192.0.2.1',
    sip: '192.0.2.1',
    mtotal: null,
    mnode: null,
    mfree: null,
    dtotal: null,
    dfree: null,
    ctotal: null,
    pinst_cnt: 0,
    sinst_cnt: 0,
    pinst_list: [],
    sinst_list: [],
    'group.uuid': 'g1',
    tags: [],
    uuid: name,
    serial_no: 1,
    ctime: 0,
    mtime: 0,
    ...patch,
  };
}

export function instance(name: string, patch: Partial<RapiInstance> = {}): RapiInstance {
  return {
    name,
    admin_state: 'up',
    oper_state: true,
    status: 'running',
    pnode: NODE,
    snodes: [],
    disk_template: 'drbd',
    beparams: {},
    oper_ram: null,
    tags: [],
    uuid: name,
    ...patch,
  };
}

/** The plan's item for an instance of the cluster, with `action`. */
export function action(inst: RapiInstance, kind: InstanceAction['action']): InstanceAction {
  return {
    instance: inst.name,
    relation: inst.pnode === NODE ? 'primary' : 'secondary',
    template: inst.disk_template,
    adminState: inst.admin_state,
    status: inst.status,
    memory: 1024,
    action: kind,
    target: null,
    why: 'test',
  };
}

export function job(plan: Partial<Plan> = {}, patch: Partial<JobRecord> = {}): JobRecord {
  const full: Plan = {
    version: 1,
    kind: 'evacuate',
    cluster: 'c1',
    node: NODE,
    nodeRole: 'regular',
    nodeAddress: '192.0.2.1',
    bmc: 'bmc1.test',
    master: 'master.test',
    iallocator: 'hail',
    createdAt: '2026-01-01T00:00:00Z',
    options: { ...DEFAULT_PLAN_OPTIONS, powerOn: false },
    instances: [],
    steps: [],
    blockers: [],
    warnings: [],
    ...plan,
  };
  return {
    id: 'j1',
    kind: full.kind,
    cluster: full.cluster,
    node: NODE,
    state: 'running',
    owner: { name: 'tester', user: 'tester', from: null, host: 'localhost' },
    createdAt: full.createdAt,
    updatedAt: full.createdAt,
    plan: full,
    cursor: 0,
    progress: 0,
    instances: full.instances.map((a) => ({ instance: a.instance, action: a.action, state: 'pending' })),
    stopped: [],
    moved: {},
    cancelRequested: false,
    ...patch,
  };
}

export const SETTINGS: RunnerSettings = {
  movesPerEvacuation: 2,
  leaseMs: 15_000,
  bootMs: 600_000,
  syncMs: 3_600_000,
  shutdownSeconds: 120,
  powerOffMode: 'soft-then-hard',
  softOffMs: 0,
  pingDownMs: 30_000,
  pollMs: 5_000,
};

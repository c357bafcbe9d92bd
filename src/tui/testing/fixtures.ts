// Plain records for view and reducer tests: what the facade would answer, built without a simulator.
import type { ClusterStatus, NodeRow } from '../../app/types.js';
import { newJob } from '../../jobs/rules.js';
import type { AuditEntry, JobEvent, JobRecord, Operator, RollProgress } from '../../jobs/types.js';
import type { RapiInstance } from '../../ganeti/types.js';
import type { Plan } from '../../plan/types.js';
import type { ListViewProps } from '../hooks/useList.js';
import { DEFAULT_PLAN_OPTIONS } from '../../plan/options.js';

export const ALICE: Operator = { name: 'alice', user: 'alice', from: null, host: 'jump1' };
export const T0 = '2026-11-24T19:37:05.000Z';

export function plan(over: Partial<Plan> = {}): Plan {
  return {
    version: 1,
    kind: 'evacuate',
    cluster: 'small',
    node: 'node2.small.example.org',
    nodeRole: 'master-candidate',
    nodeAddress: '192.0.2.2',
    bmc: 'node2-bmc.small.sim',
    master: 'node1.small.example.org',
    iallocator: null,
    createdAt: T0,
    options: { ...DEFAULT_PLAN_OPTIONS, powerOn: false },
    instances: [
      {
        instance: 'db1.small.example.org',
        relation: 'primary',
        template: 'drbd',
        adminState: 'up',
        status: 'running',
        memory: 1024,
        action: 'migrate-to-secondary',
        target: 'node4.small.example.org',
        why: 'DRBD: live migration to its secondary',
      },
    ],
    steps: [
      { kind: 'lock', title: 'Lock node2' },
      { kind: 'drain', title: 'Drain node2' },
      { kind: 'move-primaries', title: 'Move the primary instances' },
    ],
    blockers: [],
    warnings: [],
    ...over,
  };
}

export function job(over: Partial<JobRecord> = {}): JobRecord {
  return {
    ...newJob(
      {
        id: 'a1b2c3d4',
        kind: 'evacuate',
        cluster: 'small',
        node: 'node2.small.example.org',
        owner: ALICE,
        plan: plan(),
      },
      T0,
    ),
    state: 'running',
    ...over,
  };
}

/** Events numbered from `from`, a second apart. */
export function events(list: Omit<JobEvent, 'seq' | 'time' | 'jobId'>[], from = 1): JobEvent[] {
  return list.map((e, i) => ({
    seq: from + i,
    time: new Date(Date.parse(T0) + (from + i) * 1000).toISOString(),
    jobId: 'a1b2c3d4',
    ...e,
  }));
}

export function nodeRow(over: Partial<NodeRow> = {}): NodeRow {
  return {
    cluster: 'small',
    name: 'node2.small.example.org',
    role: 'master-candidate',
    primaryInstances: 3,
    secondaryInstances: 1,
    ping: 'up',
    power: 'on',
    group: 'default',
    groupUuid: 'g-1',
    address: '192.0.2.2',
    bmc: 'node2-bmc.small.sim',
    memoryFree: 2048,
    memoryTotal: 8192,
    ...over,
  };
}

export function clusterStatus(over: Partial<ClusterStatus> = {}): ClusterStatus {
  return {
    name: 'small',
    host: '127.0.0.1',
    readOnly: false,
    insecure: false,
    reachable: true,
    version: '3.0.2',
    master: 'node1.small.example.org',
    nodesUp: 4,
    nodesTotal: 4,
    runningJobs: 0,
    ...over,
  };
}

export function auditEntry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    time: T0,
    operator: ALICE,
    action: 'evacuate',
    cluster: 'small',
    node: 'node2.small.example.org',
    jobId: 'a1b2c3d4',
    result: 'started',
    detail: 'job a1b2c3d4',
    ...over,
  };
}

/** A list's filter as the view gets it: kept (`text`), being typed (`editing`), or none. */
export function filterOf(text = '', editing = false) {
  const nothing = () => undefined;
  return {
    text,
    editing,
    prompt: {
      label: '/',
      value: text,
      onChange: nothing,
      onSubmit: nothing,
      onCancel: nothing,
      submitLabel: 'keep filter',
    },
  };
}

/** A list view's props over plain rows: none filtered out, the cursor on the first, five rows of room, answered. */
export function listOf<T>(all: readonly T[], over: Partial<ListViewProps<T>> = {}): ListViewProps<T> {
  return { all, rows: all, index: 0, listRows: 5, filter: filterOf(), loading: false, ...over };
}

export function instance(over: Partial<RapiInstance> = {}): RapiInstance {
  return {
    name: 'db1.small.example.org',
    admin_state: 'up',
    oper_state: true,
    status: 'running',
    pnode: 'node2.small.example.org',
    snodes: ['node4.small.example.org'],
    disk_template: 'drbd',
    beparams: { maxmem: 1024 },
    oper_ram: 1024,
    tags: [],
    uuid: 'i-1',
    ...over,
  };
}

/** A roll of cluster small: node2 done, node3 running (at its power-off), node4 waiting; node1 the master, left out. */
export function rollJob(over: Partial<JobRecord> = {}, roll: Partial<RollProgress> = {}): JobRecord {
  return job({
    id: 'r0115a1e',
    kind: 'roll',
    node: 'roll',
    plan: plan({ kind: 'roll', node: 'roll', steps: [], instances: [] }),
    roll: {
      mode: 'reboot',
      maxParallel: 1,
      maxFailed: 1,
      groups: [['node2.small.example.org'], ['node3.small.example.org'], ['node4.small.example.org']],
      group: 1,
      nodes: [
        { node: 'node2.small.example.org', state: 'done', group: 0, job: 'c0000002' },
        {
          node: 'node3.small.example.org',
          state: 'running',
          group: 1,
          job: 'c0000003',
          step: 'Power off node3 through its BMC node3-bmc.small.sim',
        },
        { node: 'node4.small.example.org', state: 'waiting', group: 2 },
      ],
      leftOut: [
        {
          node: 'node1.small.example.org',
          why: 'the master cannot be evacuated through the RAPI: gnt-cluster master-failover on another node, then roll it',
        },
      ],
      ...roll,
    },
    ...over,
  });
}

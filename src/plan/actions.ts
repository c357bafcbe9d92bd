// Per-instance pieces every planner shares: the description of an instance, and what a move of it costs.
import type { RapiInstance, RapiNode } from '../ganeti/types.js';
import { byName } from './nodes.js';
import type { InstanceAction } from './types.js';

export function describe(
  inst: RapiInstance,
  relation: InstanceAction['relation'],
): Omit<InstanceAction, 'action' | 'target' | 'why'> {
  return {
    instance: inst.name,
    relation,
    template: inst.disk_template,
    adminState: inst.admin_state,
    status: inst.status,
    memory: 0,
  };
}

export function isMove(action: InstanceAction['action']): boolean {
  return action === 'migrate-to-secondary' || action === 'migrate' || action === 'failover';
}

/** A live migration needs what the instance uses now (hail migrates without runtime changes). */
export function currentMemory(inst: RapiInstance): number {
  return inst.oper_ram ?? maxMemory(inst);
}

/** Failing over or starting an instance that is up needs its maxmem on the target (LUInstanceFailover). */
export function maxMemory(inst: RapiInstance): number {
  return inst.beparams.maxmem ?? inst.beparams.memory ?? inst.oper_ram ?? 0;
}

export function unique(list: string[]): string[] {
  return [...new Set(list)];
}

export function sortedNodes(nodes: RapiNode[]): RapiNode[] {
  return [...nodes].sort((a, b) => byName(a.name, b.name));
}

export function sortedInstances(instances: RapiInstance[]): RapiInstance[] {
  return [...instances].sort((a, b) => byName(a.name, b.name));
}

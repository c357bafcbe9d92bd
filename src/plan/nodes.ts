// Small pure helpers about nodes, templates and plans, shared by the planner, the CLI and the TUI.
import {
  EXTERNALLY_MIRRORED,
  INTERNALLY_MIRRORED,
  type DiskTemplate,
  type NodeRoleWord,
  type RapiNode,
} from '../ganeti/types.js';
import type { Plan } from './types.js';

export const DEFAULT_BMC_TAG_PREFIX = 'ipmi:';

/** The role word of /2/nodes/N/role for a bulk node record. */
export function roleWord(node: RapiNode, master: string): NodeRoleWord {
  if (node.name === master || node.role === 'M') return 'master';
  if (node.offline || node.role === 'O') return 'offline';
  if (node.drained || node.role === 'D') return 'drained';
  if (node.master_candidate || node.role === 'C') return 'master-candidate';
  return 'regular';
}

export type MirrorKind = 'internal' | 'external' | 'none';

export function mirrorKind(template: DiskTemplate): MirrorKind {
  if (INTERNALLY_MIRRORED.includes(template)) return 'internal';
  if (EXTERNALLY_MIRRORED.includes(template)) return 'external';
  return 'none';
}

/** true for templates whose instances can leave their node without losing their disks (DRBD or shared storage). */
export function isMirrored(template: DiskTemplate): boolean {
  return mirrorKind(template) !== 'none';
}

export function planHasBlockers(plan: Plan): boolean {
  return plan.blockers.length > 0;
}

export function shortName(name: string): string {
  const dot = name.indexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * Resolves what a technician typed: the exact name, else the one node whose name starts with it at a dot boundary
 * (`node2` → `node2.example.org`, never `node` → `node2…`: a prefix inside a label is too easy to get wrong on a
 * tool that powers machines off). When nothing resolves, `candidates` holds the ambiguous matches or, failing
 * those, names close to the input (for "did you mean").
 */
export function findNode(nodes: readonly RapiNode[], name: string): { node?: RapiNode; candidates: string[] } {
  const wanted = name.trim().toLowerCase().replace(/\.$/, '');
  const exact = nodes.find((n) => n.name.toLowerCase() === wanted);
  if (exact) return { node: exact, candidates: [] };
  if (wanted === '') return { candidates: [] };
  const prefixed = nodes.filter((n) => n.name.toLowerCase().startsWith(`${wanted}.`));
  if (prefixed.length === 1) return { node: prefixed[0], candidates: [] };
  if (prefixed.length > 1) return { candidates: prefixed.map((n) => n.name).sort() };
  const wantedShort = shortName(wanted);
  const limit = Math.max(1, Math.floor(wantedShort.length / 3));
  const close = nodes
    .map((n) => n.name)
    .filter((full) => {
      const s = shortName(full.toLowerCase());
      return s.startsWith(wantedShort) || distance(s, wantedShort) <= limit;
    })
    .sort();
  return { candidates: close };
}

/** Levenshtein distance; names are short, so the plain quadratic table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** Distinct BMC hosts named by the node's tags (`ipmi:<bmc-host>`), in tag order. */
export function bmcHosts(node: RapiNode, prefix: string = DEFAULT_BMC_TAG_PREFIX): string[] {
  const hosts: string[] = [];
  for (const tag of node.tags) {
    if (!tag.startsWith(prefix)) continue;
    const host = tag.slice(prefix.length).trim();
    if (host !== '' && !hosts.includes(host)) hosts.push(host);
  }
  return hosts;
}

/**
 * Nodes the iallocator may place instances of `node` on. Hail evacuates within the node's group
 * (ganeti:src/Ganeti/HTools/Cluster/Evacuate.hs uses availableGroupNodes) and Ganeti refuses offline,
 * drained or non-vm_capable targets (CheckNodeOnline / CheckNodeNotDrained / CheckNodeVmCapable).
 */
export function eligibleTargets(nodes: readonly RapiNode[], node: RapiNode): RapiNode[] {
  return nodes
    .filter(
      (n) => n.name !== node.name && !n.offline && !n.drained && n.vm_capable && n['group.uuid'] === node['group.uuid'],
    )
    .sort((a, b) => byName(a.name, b.name));
}

/** Code-unit order: the same on every machine, whatever its locale. */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Why a node cannot receive instances, or null when it can. */
export function unusableTargetReason(target: RapiNode): string | null {
  if (target.offline) return 'offline';
  if (target.drained) return 'drained';
  if (!target.vm_capable) return 'not vm_capable';
  return null;
}

// Reads Ganeti's htools text format (src/Ganeti/HTools/Backend/Text.hs: groups, nodes, instances, tags, ipolicies,
// separated by empty lines) into nodevac's roll model, and writes a cluster the same way for hroller -t.
import type { DiskTemplate, RapiInstance, RapiNode } from '../../src/ganeti/types.js';
import type { RollGroupsInput } from '../../src/plan/roll-groups.js';

export function parseHtoolsText(text: string): Omit<RollGroupsInput, 'candidates'> {
  const [, nodeLines = '', instanceLines = ''] = text.split(/\n\n/);
  const rows = (block: string): string[][] =>
    block
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split('|'));
  return {
    nodes: rows(nodeLines).map((f) => ({
      name: f[0]!,
      memFree: Number(f[3]),
      diskFree: Number(f[5]),
      // Text.loadNode: "M" is the master, "Y" offline.
      master: f[7] === 'M',
      offline: f[7] === 'Y',
      group: f[8]!,
    })),
    instances: rows(instanceLines).map((f) => ({
      name: f[0]!,
      mem: f[4] === 'running' ? Number(f[1]) : 0,
      disk: Number(f[2]),
      pnode: f[6]!,
      ...(f[7] ? { snode: f[7] } : {}),
      template: f[8] as DiskTemplate,
    })),
  };
}

/** A cluster as the RAPI reports it, in the text format hroller -t reads (Text.serializeNode/serializeInstance). */
export function toHtoolsText(nodes: RapiNode[], instances: RapiInstance[], master: string): string {
  const groups = [...new Set(nodes.map((n) => n['group.uuid']))];
  const policy =
    '|128,1,1024,1,1,1|128,1,1024,1,1,1;32768,8,1048576,16,8,12|diskless,file,sharedfile,plain,blockdev,drbd,rbd,ext|4.0|32.0';
  const flag = (n: RapiNode): string => (n.offline ? 'Y' : n.name === master ? 'M' : 'N');
  const disk = (i: RapiInstance): number =>
    ((i['disk.sizes'] as number[] | undefined) ?? []).reduce((a, b) => a + b, 0);
  return [
    groups.map((g, i) => `group-${i}|${g}|preferred|`).join('\n'),
    nodes
      .map(
        (n) =>
          `${n.name}|${n.mtotal ?? 0}|${n.mnode ?? 0}|${n.mfree ?? 0}|${n.dtotal ?? 0}|${n.dfree ?? 0}|${n.ctotal ?? 1}|${flag(n)}|${n['group.uuid']}|1`,
      )
      .join('\n'),
    instances
      .map(
        (i) =>
          `${i.name}|${i.beparams.maxmem ?? i.beparams.memory ?? 0}|${disk(i)}|${i.beparams.vcpus ?? 1}|${i.status}|Y|${i.pnode}|${i.disk_template === 'drbd' ? (i.snodes[0] ?? '') : ''}|${i.disk_template}||1`,
      )
      .join('\n'),
    '',
    [policy, ...groups.map((_, i) => `group-${i}${policy}`)].join('\n'),
    '',
  ].join('\n\n');
}

// `:` jumps: a view named by a prefix of its name ("j", "au"), the nodes of a cluster by name.
import type { View } from './providers/navigation.js';

const VIEWS = ['clusters', 'nodes', 'jobs', 'audit', 'help'] as const;

/** The new stack for a typed jump, or what to tell the technician when there is no such view or cluster. */
export function jump(
  text: string,
  stack: readonly View[],
  clusters: readonly string[],
): { stack: View[] } | { flash: string } {
  const [word = '', arg] = text.trim().split(/\s+/);
  const name = VIEWS.find((v) => word !== '' && v.startsWith(word.toLowerCase()));
  if (!name) return { flash: `no view "${word}": try clusters, nodes [cluster], jobs, audit or help` };
  if (name === 'clusters') return { stack: [{ name: 'clusters' }] };
  if (name === 'nodes') {
    // The cluster of the view the technician is in, else the first configured one.
    const current = [...stack]
      .reverse()
      .find((v): v is Extract<View, { cluster?: string }> => 'cluster' in v && typeof v.cluster === 'string');
    const cluster = arg ?? current?.cluster ?? clusters[0];
    if (!cluster || !clusters.includes(cluster))
      return { flash: `no cluster "${arg ?? ''}": configured clusters are ${clusters.join(', ')}` };
    return { stack: [{ name: 'clusters' }, { name: 'nodes', cluster }] };
  }
  return { stack: [{ name: 'clusters' }, { name }] };
}

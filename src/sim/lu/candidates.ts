// The master-candidate pool: lib/config/__init__.py (GetMasterCandidateStats, MaintainCandidatePool) and
// lib/cmdlib/node.py (_DecideSelfPromotion), lib/cmdlib/common.py (AdjustCandidatePool).
import type { SimCluster, SimNode } from '../world.js';
import { bumpNode, type LuContext } from './common.js';

export function mcStats(cluster: SimCluster, exceptions: readonly SimNode[]): { now: number; should: number } {
  let now = 0;
  let max = 0;
  for (const n of cluster.nodes.values()) {
    if (exceptions.includes(n)) continue;
    if (!(n.offline || n.drained) && n.masterCapable) max++;
    if (n.masterCandidate) now++;
  }
  return { now, should: Math.min(max, cluster.candidatePoolSize) };
}

export function decideSelfPromotion(cluster: SimCluster): boolean {
  const { now, should } = mcStats(cluster, []);
  return now < Math.min(should + 1, cluster.candidatePoolSize);
}
/** AdjustCandidatePool after a demotion that was allowed to promote others. */
export function adjustCandidatePool(ctx: LuContext, except: SimNode): void {
  const { cluster } = ctx;
  let { now } = mcStats(cluster, [except]);
  const { should } = mcStats(cluster, [except]);
  const promoted: SimNode[] = [];
  for (const n of cluster.nodeList()) {
    if (now >= should) break;
    if (n.masterCandidate || n.offline || n.drained || n === except || !n.masterCapable) continue;
    n.masterCandidate = true;
    bumpNode(ctx, n);
    promoted.push(n);
    now++;
  }
  if (promoted.length > 0)
    ctx.info(`Promoted nodes to master candidate role: ${promoted.map((n) => n.name).join(', ')}`);
  const after = mcStats(cluster, [except]);
  if (after.now > after.should)
    ctx.info(`Note: more nodes are candidates (${after.now}) than desired (${after.should})`);
}

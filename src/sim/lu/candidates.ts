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

/**
 * The order MaintainCandidatePool tries nodes in: random.shuffle of the configuration's nodes (config/__init__.py)
 * with the randomCandidates behaviour (seeded), name order without it.
 */
function candidateOrder(ctx: LuContext): SimNode[] {
  const nodes = [...ctx.cluster.nodeList()];
  if (!ctx.world.behaviour.randomCandidates) return nodes;
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(ctx.world.random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j] as SimNode, nodes[i] as SimNode];
  }
  return nodes;
}

/** AdjustCandidatePool (common.py) after a demotion that was allowed to promote others: MaintainCandidatePool. */
export function adjustCandidatePool(ctx: LuContext, except: SimNode): void {
  const { cluster } = ctx;
  let { now } = mcStats(cluster, [except]);
  const { should } = mcStats(cluster, [except]);
  const promoted: SimNode[] = [];
  for (const n of candidateOrder(ctx)) {
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

// What the clusters hold, as a technician sees it: each cluster's status, the node listing (with ping, power, jobs
// and locks), finding a node by a typed name, and one node's detail.
import { describeOperator } from '../config/operator.js';
import type { Config } from '../config/schema.js';
import type { RapiError } from '../ganeti/errors.js';
import type { RapiNode } from '../ganeti/types.js';
import { isFinal, lockKey } from '../jobs/rules.js';
import type { JobRecord, LockRecord } from '../jobs/types.js';
import { findNode, roleWord } from '../plan/planner.js';
import type { Plan } from '../plan/types.js';
import type { Store } from '../store/types.js';
import { quote } from '../util/quote.js';
import type { Clusters } from './clusters.js';
import type { Sweeps } from './sweep.js';
import { NodeLookupError, type ClusterStatus, type NodeDetail, type NodeRow } from './types.js';

export interface ListOptions {
  waitForPing?: boolean;
  onClusterError?: (cluster: string, error: Error) => void;
}

export class Inventory {
  constructor(
    private readonly config: Config,
    private readonly clusters: Clusters,
    private readonly store: Store,
    private readonly sweeps: Sweeps,
  ) {}

  async status(name: string): Promise<ClusterStatus> {
    const h = this.clusters.get(name);
    const running = (await this.store.listJobs().catch(() => [])).filter(
      (j) => j.cluster === name && !isFinal(j),
    ).length;
    const base: ClusterStatus = {
      name,
      host: h.config.host,
      readOnly: h.config.readOnly,
      insecure: 'insecure' in h.config.tls,
      reachable: false,
      runningJobs: running,
    };
    try {
      const [info, nodes] = await Promise.all([h.client.info(), this.clusters.nodes(name, 0)]);
      const up = nodes.filter((n) => !n.offline && n.mtotal !== null).length;
      return {
        ...base,
        reachable: true,
        version: info.software_version,
        master: info.master,
        nodesUp: up,
        nodesTotal: nodes.length,
      };
    } catch (err) {
      const e = err as RapiError;
      return { ...base, error: { message: e.message, hint: e.hint ?? '' } };
    }
  }

  async list(cluster?: string, opts: ListOptions = {}): Promise<NodeRow[]> {
    const names = cluster ? [cluster] : this.clusters.names();
    const [jobs, locks] = await Promise.all([
      this.store.listJobs().catch(() => [] as JobRecord[]),
      this.store.listLocks().catch(() => [] as LockRecord[]),
    ]);
    const settled = await Promise.allSettled(
      names.map(async (c) => {
        // The cluster first: an unknown name must reject this call, not leave nodes()'s rejection unhandled.
        const h = this.clusters.get(c);
        const [{ nodes, groups }, info] = await Promise.all([this.clusters.nodesWithGroups(c), h.client.info()]);
        return nodes.map((n) => {
          const uuid = String(n['group.uuid'] ?? '');
          return { c, n, master: info.master, groupUuid: uuid, group: groups.get(uuid) ?? uuid };
        });
      }),
    );
    // One unreachable cluster must not hide the others; it is reported, and fails the call only if all do.
    const failed = settled.flatMap((r, i) =>
      r.status === 'rejected' ? [{ cluster: names[i]!, error: r.reason as Error }] : [],
    );
    if (failed.length === names.length && failed[0]) throw failed[0].error;
    for (const f of failed) opts.onClusterError?.(f.cluster, f.error);
    const all = settled.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const addr = (n: RapiNode) => (this.config.reach.address === 'name' ? n.name : n.pip);
    const prefix = this.config.ipmi?.tagPrefix ?? 'ipmi:';
    const bmcOf = (n: RapiNode) => n.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length) ?? null;
    await this.sweeps.refresh(
      all.map(({ c, n }) => ({ address: addr(n), bmc: bmcOf(n), power: this.clusters.get(c).power })),
      opts.waitForPing,
    );
    const now = Date.now();
    return all.map(({ c, n, master, group, groupUuid }) => {
      const bmc = bmcOf(n);
      const job = jobs
        .filter((j) => j.cluster === c && j.node === n.name)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
      const lock = locks.find((l) => l.key === lockKey(c, n.name) && l.expiresAt > now);
      const row: NodeRow = {
        cluster: c,
        name: n.name,
        role: roleWord(n, master),
        primaryInstances: n.pinst_cnt,
        secondaryInstances: n.sinst_cnt,
        ...this.sweeps.view(addr(n), bmc),
        group,
        groupUuid,
        address: n.pip,
        bmc,
        memoryFree: n.mfree,
        memoryTotal: n.mtotal,
      };
      if (job && !isFinal(job)) row.job = { id: job.id, kind: job.kind, state: job.state, owner: job.owner.name };
      if (lock) row.lock = { owner: describeOperator(lock.owner), since: lock.since, jobId: lock.jobId };
      return row;
    });
  }

  /** The node's cluster and full name, from a full or unique short name; nodes read at most nodesMaxAgeMs ago. */
  async locate(name: string, cluster?: string, nodesMaxAgeMs?: number): Promise<{ cluster: string; node: string }> {
    const names = cluster ? [cluster] : this.clusters.names();
    if (cluster) this.clusters.get(cluster);
    const found: { cluster: string; name: string }[] = [];
    const near: { cluster: string; name: string }[] = [];
    const errors: string[] = [];
    await Promise.all(
      names.map(async (c) => {
        try {
          const r = findNode(await this.clusters.nodes(c, nodesMaxAgeMs), name);
          if (r.node) found.push({ cluster: c, name: r.node.name });
          else near.push(...r.candidates.map((n) => ({ cluster: c, name: n })));
        } catch (err) {
          errors.push((err as Error).message);
        }
      }),
    );
    if (found.length === 1) return { cluster: found[0]!.cluster, node: found[0]!.name };
    if (found.length > 1)
      throw new NodeLookupError(`${quote(name)} matches nodes in several clusters; name one with --cluster`, found);
    const unreachable = errors.length ? ` (could not ask: ${errors.join('; ')})` : '';
    throw new NodeLookupError(
      `no node ${quote(name)} in ${cluster ? `cluster ${cluster}` : 'any configured cluster'}${unreachable}`,
      near,
    );
  }

  /** The node's row, instances, tags and history, with `evacuation` (what an evacuation would do) read alongside. */
  async detail(cluster: string, node: string, evacuation: () => Promise<Plan>): Promise<NodeDetail> {
    const h = this.clusters.get(cluster);
    const [rows, instances, plan, history] = await Promise.all([
      this.list(cluster),
      h.client.instances(),
      evacuation(),
      this.store.listAudit({ node, cluster, limit: 20 }).catch(() => []),
    ]);
    const row = rows.find((r) => r.name === node);
    const n = (await this.clusters.nodes(cluster)).find((x) => x.name === node);
    if (!row || !n) throw new NodeLookupError(`no node ${quote(node)} in cluster ${cluster}`, []);
    return {
      cluster,
      row,
      node: n,
      instances: instances.filter((i) => i.pnode === node || i.snodes.includes(node)),
      tags: n.tags,
      plan,
      history,
    };
  }
}

// The configured clusters: one handle each (RAPI client, BMC driver, evacuation queue), made on first use, and the
// short-lived caches of what they answer (nodes, node group names).
import PQueue from 'p-queue';
import { resolveSecret } from '../config/load.js';
import type { ClusterConfig, Config } from '../config/schema.js';
import { RapiClient } from '../ganeti/client.js';
import { RapiError } from '../ganeti/errors.js';
import type { RapiClusterInfo, RapiInstance, RapiNode } from '../ganeti/types.js';
import type { Operator } from '../jobs/types.js';
import type { PowerDriver } from '../power/types.js';
import { quote } from '../util/quote.js';
import type { BmcCredentials, Drivers } from './drivers.js';
import { NodeLookupError } from './types.js';

/** Node groups are rarely added or renamed: their names are read again after this, or when a node names an unknown one. */
const GROUPS_MAX_AGE_MS = 60_000;

export interface ClusterHandle {
  config: ClusterConfig;
  client: RapiClient;
  power: PowerDriver;
  queue: PQueue;
  nodesCache?: { at: number; nodes: RapiNode[] };
  /** Node group uuid → name. */
  groupsCache?: { at: number; names: Map<string, string> };
}

/** What a plan reads of a cluster besides its nodes. */
export type PlanReads = Promise<[RapiClusterInfo, string[], RapiInstance[]]>;

export class Clusters {
  private readonly handles = new Map<string, ClusterHandle>();

  constructor(
    private readonly config: Config,
    private readonly env: NodeJS.ProcessEnv,
    private readonly operator: Operator,
    private readonly drivers: Drivers,
  ) {}

  /** Configured cluster names, in configuration order. */
  names(): string[] {
    return this.config.clusters.map((c) => c.name);
  }

  /** The cluster's handle; an unknown name is a NodeLookupError naming the configured ones. */
  get(name: string): ClusterHandle {
    const existing = this.handles.get(name);
    if (existing) return existing;
    const cfg = this.config.clusters.find((c) => c.name === name);
    if (!cfg)
      throw new NodeLookupError(
        `no cluster named ${quote(name)} in the configuration (clusters: ${this.names().join(', ')})`,
        [],
      );
    const client = new RapiClient(
      {
        name: cfg.name,
        host: cfg.host,
        port: cfg.port,
        user: cfg.user,
        password: resolveSecret(cfg, `clusters[${this.config.clusters.indexOf(cfg)}]`, this.env),
        tls: cfg.tls,
        timeoutSeconds: cfg.timeoutSeconds,
        connections: this.config.limits.rapiConnections,
      },
      { operator: this.operator.name },
    );
    const handle: ClusterHandle = {
      config: cfg,
      client,
      power: this.drivers.power(cfg, this.bmcCredentials(cfg)),
      queue: new PQueue({ concurrency: this.config.limits.evacuationsPerCluster }),
    };
    this.handles.set(name, handle);
    return handle;
  }

  /** The cluster's configuration; undefined when it is not configured. */
  configOf(name: string): ClusterConfig | undefined {
    return this.config.clusters.find((c) => c.name === name);
  }

  private bmcCredentials(cfg: ClusterConfig): BmcCredentials {
    const base = this.config.ipmi;
    const over = cfg.ipmi ?? {};
    const secretSpec = over.password || over.passwordFile || over.passwordEnv ? over : base;
    return {
      user: over.user ?? base?.user ?? '',
      password: () =>
        secretSpec ? resolveSecret(secretSpec, over === secretSpec ? `clusters[].ipmi` : 'ipmi', this.env) : '',
    };
  }

  /** The cluster's nodes, read again when the last read is older than maxAgeMs. */
  async nodes(cluster: string, maxAgeMs = 2000): Promise<RapiNode[]> {
    const h = this.get(cluster);
    if (h.nodesCache && Date.now() - h.nodesCache.at < maxAgeMs) return h.nodesCache.nodes;
    const nodes = await h.client.nodes();
    h.nodesCache = { at: Date.now(), nodes };
    return nodes;
  }

  /** The nodes, and the names of their groups read alongside (cached). */
  async nodesWithGroups(cluster: string): Promise<{ nodes: RapiNode[]; groups: Map<string, string> }> {
    const h = this.get(cluster);
    const cached = h.groupsCache && Date.now() - h.groupsCache.at < GROUPS_MAX_AGE_MS ? h.groupsCache.names : undefined;
    const [nodes, groups] = await Promise.all([this.nodes(cluster, 0), cached ?? this.readGroups(h)]);
    // A node in a group added since the cached read.
    if (cached && nodes.some((n) => !cached.has(n['group.uuid']))) return { nodes, groups: await this.readGroups(h) };
    return { nodes, groups };
  }

  /** A failed read is not cached and fails nothing: rows then show the group's uuid. */
  private async readGroups(h: ClusterHandle): Promise<Map<string, string>> {
    try {
      const names = new Map((await h.client.groups()).map((g) => [g.uuid, g.name]));
      h.groupsCache = { at: Date.now(), names };
      return names;
    } catch (err) {
      if (!(err instanceof RapiError)) throw err;
      return h.groupsCache?.names ?? new Map();
    }
  }

  planReads(cluster: string): PlanReads {
    const h = this.get(cluster);
    return Promise.all([h.client.info(), h.client.features(), h.client.instances()]);
  }

  close(): void {
    for (const h of this.handles.values()) h.client.close();
  }
}

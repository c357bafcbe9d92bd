// Logical units: what Ganeti 3.0 does when it runs each opcode, with its checks, log lines, results and error
// messages. One file per module of Ganeti's lib/cmdlib/ (common, node, instance_migration, instance_operation,
// instance_storage, tags), plus the candidate pool (lib/config) and hail (htools); sources are cited by function
// name where behaviour is subtle.
import type { LuEntry } from '../jobs.js';
import type { SimCluster, SimWorld } from '../world.js';
import type { LuContext } from './common.js';
import { migrateOrFailover } from './instance-migration.js';
import { instanceShutdown, instanceStartup } from './instance-operation.js';
import { instanceQueryData } from './instance-query.js';
import { activateDisks, replaceDisks } from './instance-storage.js';
import { nodeEvacuate, nodeMigrate, nodeSetParams } from './node.js';
import { tags } from './tags.js';

type Entry = Omit<LuEntry, 'lu'> & { lu: (ctx: LuContext) => ReturnType<LuEntry['lu']> };

const LUS: Record<string, Entry> = {
  OP_NODE_SET_PARAMS: { lu: nodeSetParams, steps: 3 },
  OP_NODE_MIGRATE: { lu: nodeMigrate, steps: 2 },
  OP_NODE_EVACUATE: { lu: nodeEvacuate, steps: 3 },
  OP_INSTANCE_MIGRATE: { lu: (ctx) => migrateOrFailover(ctx, false), steps: 7 },
  OP_INSTANCE_FAILOVER: { lu: (ctx) => migrateOrFailover(ctx, true), steps: 5 },
  OP_INSTANCE_SHUTDOWN: { lu: instanceShutdown, steps: 2 },
  OP_INSTANCE_STARTUP: { lu: instanceStartup, steps: 2 },
  OP_INSTANCE_REPLACE_DISKS: { lu: replaceDisks, steps: 5 },
  OP_INSTANCE_ACTIVATE_DISKS: { lu: activateDisks, steps: 2 },
  OP_INSTANCE_QUERY_DATA: { lu: instanceQueryData, steps: 1 },
  OP_TAGS_SET: { lu: (ctx) => tags(ctx, true), steps: 2 },
  OP_TAGS_DEL: { lu: (ctx) => tags(ctx, false), steps: 2 },
};

/** The logical units of one cluster's queue, with the world and the cluster bound into their context. */
export function logicalUnits(world: SimWorld, cluster: SimCluster): (opId: string) => LuEntry {
  return (opId) => {
    const entry = LUS[opId];
    if (entry === undefined) throw new Error(`no logical unit for ${opId}`);
    return { steps: entry.steps, lu: (ctx) => entry.lu({ ...ctx, world, cluster }) };
  };
}

// The RAPI's read resources (rlib2 R_2_nodes, R_2_instances, R_2_groups, R_2_jobs, R_2_query and their
// per-name forms), answered from the world without a job.
import { HttpError, jsonReply, type Reply } from './http.js';
import { JOB_FIELDS, type JobQueue } from './jobs.js';
import { pyExceptionStr, pyJson } from './json.js';
import {
  groupBody,
  groupsBulkBody,
  instanceBody,
  instancesBulkBody,
  nodeBody,
  nodesBulkBody,
  roleWord,
} from './render.js';
import { QUERY_RESOURCES, queryResource } from './query.js';
import { intArg, strArg, type RapiRequest } from './rapi-request.js';
import type { SimCluster } from './world.js';

const VALID_QUERY_RESOURCES = [
  'cluster',
  'node',
  'instance',
  'group',
  'network',
  'os',
  'extstorage',
  'export',
  'lock',
  'job',
  'filter',
];

export function nodes(cluster: SimCluster, r: RapiRequest): Reply {
  if (intArg(r, 'bulk') !== 0) return jsonReply(nodesBulkBody(cluster));
  return jsonReply(pyJson(cluster.nodeList().map((n) => ({ id: n.name, uri: `/2/nodes/${n.name}` }))));
}

export function node(cluster: SimCluster, r: RapiRequest): Reply {
  intArg(r, 'lock');
  const node = cluster.findNode(r.items[0] ?? '');
  if (node === undefined) throw new HttpError(404);
  return jsonReply(nodeBody(node));
}

export function getRole(cluster: SimCluster, r: RapiRequest): Reply {
  intArg(r, 'lock');
  const node = cluster.findNode(r.items[0] ?? '');
  // rlib2 indexes the empty query result: Python's IndexError becomes a 500.
  if (node === undefined) throw new HttpError(500, 'list index out of range');
  return jsonReply(pyJson(roleWord(node)));
}

export function getTags(cluster: SimCluster, r: RapiRequest): Reply {
  const name = r.items[0] ?? '';
  const node = cluster.findNode(name);
  if (node === undefined) throw new HttpError(500, pyExceptionStr([`Node name ${name} not found`, 'unknown_entity']));
  return jsonReply(pyJson([...node.tags].sort()));
}

export function groups(cluster: SimCluster, r: RapiRequest): Reply {
  if (intArg(r, 'bulk') !== 0) return jsonReply(groupsBulkBody(cluster));
  // rlib2 lists groups as {name, uri}, unlike nodes and instances ({id, uri}).
  return jsonReply(pyJson(cluster.groupList().map((g) => ({ name: g.name, uri: `/2/groups/${g.name}` }))));
}

export function group(cluster: SimCluster, r: RapiRequest): Reply {
  intArg(r, 'lock');
  const group = cluster.groups.get(r.items[0] ?? '');
  if (group === undefined) throw new HttpError(404);
  return jsonReply(groupBody(group));
}

export function instances(cluster: SimCluster, r: RapiRequest): Reply {
  intArg(r, 'lock');
  if (intArg(r, 'bulk') !== 0) return jsonReply(instancesBulkBody(cluster));
  return jsonReply(pyJson(cluster.instanceList().map((i) => ({ id: i.name, uri: `/2/instances/${i.name}` }))));
}

export function instance(cluster: SimCluster, r: RapiRequest): Reply {
  intArg(r, 'lock');
  const inst = cluster.findInstance(r.items[0] ?? '');
  if (inst === undefined) throw new HttpError(404);
  return jsonReply(instanceBody(inst));
}

export function jobs(queue: JobQueue, r: RapiRequest): Reply {
  const jobs = queue.list();
  if (intArg(r, 'bulk') !== 0) return jsonReply(pyJson(jobs.map((j) => j.toJSON(true))));
  return jsonReply(pyJson(jobs.map((j) => ({ id: j.id, uri: `/2/jobs/${j.id}` }))));
}

export function job(queue: JobQueue, r: RapiRequest): Reply {
  const id = Number(r.items[0]);
  const job = queue.get(id);
  // Ganeti 3.0 answers an unknown job with every field null (observed on the lab), not 404.
  if (job === undefined)
    return jsonReply(pyJson(Object.fromEntries(JOB_FIELDS.map((f) => [f, f === 'id' ? id : null]))));
  return jsonReply(pyJson(job.toJSON()));
}

export function query(cluster: SimCluster, r: RapiRequest): Reply {
  const resource = r.items[0] ?? '';
  const raw = strArg(r, 'fields');
  if (raw === undefined) throw new HttpError(400, "Missing 'fields' query argument");
  const fields = raw.split(',').map((f) => f.trim());
  if (!(QUERY_RESOURCES as readonly string[]).includes(resource)) {
    if (VALID_QUERY_RESOURCES.includes(resource)) throw new HttpError(404);
    const req = pyJson([resource, fields, null]).replace(/, /g, ',');
    throw new HttpError(
      502,
      `Failed to parse request: Cannot convert value '${req}', error: Can't parse value '${resource}' as neitherQueryTypeLuxi nor QueryTypeOp`,
    );
  }
  return jsonReply(pyJson(queryResource(cluster, resource as (typeof QUERY_RESOURCES)[number], fields)));
}

// A RAPI request as the simulated resources see it, the query-argument helpers rlib2/baserlib use, and the
// users and statistics of a simulated RAPI.
import { HttpError } from './http.js';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RapiRequest {
  method: Method;
  path: string;
  query: Map<string, string[]>;
  /** Decoded JSON body; undefined when the request had none. */
  body: unknown;
  user: string;
  items: string[];
}

export function parseQuery(search: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(search)) {
    if (v === '') continue; // parse_qs drops blank values
    const list = out.get(k);
    if (list === undefined) out.set(k, [v]);
    else list.push(v);
  }
  return out;
}

export function intArg(r: RapiRequest, name: string, def = 0): number {
  const v = r.query.get(name)?.[0];
  if (v === undefined) return def;
  if (!/^\s*[+-]?\d+\s*$/.test(v)) throw new HttpError(400, `Invalid value for the '${name}' parameter`);
  return Number.parseInt(v, 10);
}

export const strArg = (r: RapiRequest, name: string): string | undefined => r.query.get(name)?.[0];

export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface RapiUser {
  password: string;
  write: boolean;
}

export interface SimSubmission {
  method: string;
  path: string;
  opcode: string;
  body: unknown;
  /** The ?reason= text, or null. */
  reason: string | null;
  user: string;
  /** Milliseconds since the epoch. */
  time: number;
  jobId: number;
}

/** A request a fault was injected into: dropped, answered 502/504 instead of handled, or handled with its answer lost. */
export interface SimInjectedFault {
  method: string;
  path: string;
  fault: 'drop' | 'lose' | 502 | 504;
}

export interface SimClusterStats {
  requests: number;
  submissions: SimSubmission[];
  injected: SimInjectedFault[];
  openConnections: number;
  maxConcurrentConnections: number;
}

/**
 * rlib2 R_2_instances_name_replace_disks.GetPostOpInput: the body, or (its legacy interface) the query arguments
 * when there is no body; `disks` as a list of integers or a string "0, 1".
 */
export function replaceDisksInput(r: RapiRequest): Record<string, unknown> {
  const data: Record<string, unknown> =
    isDict(r.body) && Object.keys(r.body).length > 0
      ? { ...r.body }
      : r.query.size > 0
        ? {
            remote_node: strArg(r, 'remote_node') ?? null,
            mode: strArg(r, 'mode') ?? null,
            disks: strArg(r, 'disks') ?? null,
            iallocator: strArg(r, 'iallocator') ?? null,
          }
        : {};
  const raw = data.disks;
  delete data.disks;
  if (Array.isArray(raw) && raw.length > 0 && raw.every((d) => Number.isInteger(d))) data.disks = raw;
  else if (typeof raw === 'string' && raw !== '') {
    const parts = raw.split(',');
    const bad = parts.find((p) => !/^\s*[+-]?\d+\s*$/.test(p));
    // Python's int() refusal, as rlib2 passes it on.
    if (bad !== undefined)
      throw new HttpError(400, `Invalid disk index passed: invalid literal for int() with base 10: '${bad}'`);
    data.disks = parts.map(Number);
  }
  return data;
}

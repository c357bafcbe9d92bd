// Shape checks of RAPI answers: enough to refuse what Ganeti never sends, before anything reads a field.
import type { NodeRoleWord, RapiClusterInfo, RapiGroup, RapiInstance, RapiJob, RapiNode, WaitResult } from './types.js';

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isString = (v: unknown): v is string => typeof v === 'string';
export const isRoleWord = (v: unknown): v is NodeRoleWord =>
  typeof v === 'string' && ['master', 'master-candidate', 'regular', 'drained', 'offline'].includes(v);
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
export const isJobId = (v: unknown): v is number => isNumber(v) && Number.isInteger(v) && v >= 0;
export const isClusterInfo = (v: unknown): v is RapiClusterInfo =>
  isObject(v) && isString(v.name) && isString(v.master);
export const isNode = (v: unknown): v is RapiNode =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.role) &&
  typeof v.offline === 'boolean' &&
  typeof v.drained === 'boolean' &&
  Array.isArray(v.pinst_list) &&
  Array.isArray(v.sinst_list) &&
  Array.isArray(v.tags);
export const isNodeList = (v: unknown): v is RapiNode[] => Array.isArray(v) && v.every(isNode);
export const isGroup = (v: unknown): v is RapiGroup =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.uuid) &&
  isString(v.alloc_policy) &&
  isStringArray(v.node_list) &&
  isStringArray(v.tags);
export const isGroupList = (v: unknown): v is RapiGroup[] => Array.isArray(v) && v.every(isGroup);
export const isInstance = (v: unknown): v is RapiInstance =>
  isObject(v) &&
  isString(v.name) &&
  isString(v.pnode) &&
  Array.isArray(v.snodes) &&
  isString(v.disk_template) &&
  isString(v.admin_state);
export const isInstanceList = (v: unknown): v is RapiInstance[] => Array.isArray(v) && v.every(isInstance);
export const isJob = (v: unknown): v is RapiJob => isObject(v) && 'status' in v && 'id' in v;
export const isJobList = (v: unknown): v is RapiJob[] => Array.isArray(v) && v.every(isJob);
export const isWaitResult = (v: unknown): v is WaitResult =>
  v === null || (isObject(v) && Array.isArray(v.job_info) && Array.isArray(v.log_entries));
export const isCancelResult = (v: unknown): v is [boolean, string] => Array.isArray(v) && typeof v[0] === 'boolean';
export const isQueryResult = (v: unknown): v is { fields: unknown[]; data: [number, unknown][][] } =>
  isObject(v) && Array.isArray(v.fields) && Array.isArray(v.data);

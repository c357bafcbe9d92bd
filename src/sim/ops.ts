// Opcodes as the RAPI builds them (rapi/baserlib.py FillOpcode) and as luxid serialises them back
// (src/Ganeti/OpCodes.hs): parameter order, defaults, which optional fields appear, validation messages.
import { pyExceptionStr, pyRepr, pyTypeName } from './json.js';

export type Ecode =
  | 'wrong_input'
  | 'wrong_state'
  | 'unknown_entity'
  | 'environment_error'
  | 'insufficient_resources'
  | 'temp_insufficient_resources'
  | 'already_exists'
  | 'internal_error';

/** An error a Ganeti logical unit raises; encoded in opresult as [type, [message, ecode?]]. */
export class OpError extends Error {
  constructor(
    readonly type: 'OpPrereqError' | 'OpExecError' | 'TagError',
    message: string,
    readonly ecode?: Ecode,
  ) {
    super(message);
  }
  encode(): [string, string[]] {
    return [this.type, this.ecode === undefined ? [this.message] : [this.message, this.ecode]];
  }
}

export const prereq = (message: string, ecode: Ecode) => new OpError('OpPrereqError', message, ecode);
export const execError = (message: string) => new OpError('OpExecError', message);

/** An HTTP error raised while building the opcode (answered 400 by the RAPI). */
export class BadRequest extends Error {}

type Check = (v: unknown) => boolean;
const isBool: Check = (v) => typeof v === 'boolean';
const isInt: Check = (v) => typeof v === 'number' && Number.isInteger(v);
const isNonNegInt: Check = (v) => isInt(v) && (v as number) >= 0;
const isNEString: Check = (v) => typeof v === 'string' && v.length > 0;
const isString: Check = (v) => typeof v === 'string';
const isDict: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isList: Check = (v) => Array.isArray(v);
const isStringList: Check = (v) => Array.isArray(v) && v.every(isString);
const oneOf =
  (...values: string[]): Check =>
  (v) =>
    typeof v === 'string' && values.includes(v);
const maybe =
  (c: Check): Check =>
  (v) =>
    v === null || v === undefined || c(v);

interface ParamDef {
  name: string;
  /** req: must be given; def: always serialised (given or default); opt: serialised only when given. */
  mode: 'req' | 'def' | 'opt';
  def?: unknown;
  check: Check;
}

const req = (name: string, check: Check): ParamDef => ({ name, mode: 'req', check });
const def = (name: string, value: unknown, check: Check): ParamDef => ({ name, mode: 'def', def: value, check });
const opt = (name: string, check: Check): ParamDef => ({ name, mode: 'opt', check: maybe(check) });

const COMMON: ParamDef[] = [
  opt('dry_run', isBool),
  opt('debug_level', isNonNegInt),
  def('priority', 0, (v) => isInt(v) && (v as number) >= -20 && (v as number) <= 19),
  def('depends', null, maybe(isList)),
  def('comment', null, maybe(isString)),
  def('reason', [], isList),
];

export interface OpDef {
  id: string;
  /** Python class name, as in "Object OpNodeMigrate doesn't support the parameter …". */
  cls: string;
  /** Field shown in the job summary, e.g. NODE_MIGRATE(node2). */
  dsc: string | null;
  params: ParamDef[];
}

const shutdownTimeout = (name: string) => def(name, 120, isNonNegInt);

export const OPS = {
  OP_NODE_SET_PARAMS: {
    id: 'OP_NODE_SET_PARAMS',
    cls: 'OpNodeSetParams',
    dsc: 'node_name',
    params: [
      req('node_name', isNEString),
      opt('node_uuid', isNEString),
      def('force', false, isBool),
      opt('hv_state', isDict),
      opt('disk_state', isDict),
      opt('master_candidate', isBool),
      opt('offline', isBool),
      opt('drained', isBool),
      def('auto_promote', false, isBool),
      opt('master_capable', isBool),
      opt('vm_capable', isBool),
      opt('secondary_ip', isNEString),
      opt('ndparams', isDict),
      opt('powered', isBool),
    ],
  },
  OP_NODE_MIGRATE: {
    id: 'OP_NODE_MIGRATE',
    cls: 'OpNodeMigrate',
    dsc: 'node_name',
    params: [
      req('node_name', isNEString),
      opt('node_uuid', isNEString),
      opt('mode', oneOf('live', 'non-live')),
      opt('live', isBool),
      opt('target_node', isNEString),
      opt('target_node_uuid', isNEString),
      def('allow_runtime_changes', true, isBool),
      def('ignore_ipolicy', false, isBool),
      opt('iallocator', isNEString),
    ],
  },
  OP_NODE_EVACUATE: {
    id: 'OP_NODE_EVACUATE',
    cls: 'OpNodeEvacuate',
    dsc: 'node_name',
    params: [
      def('early_release', false, isBool),
      req('node_name', isNEString),
      opt('node_uuid', isNEString),
      opt('remote_node', isNEString),
      opt('remote_node_uuid', isNEString),
      opt('iallocator', isNEString),
      req('mode', oneOf('primary-only', 'secondary-only', 'all')),
      opt('ignore_soft_errors', isBool),
    ],
  },
  OP_INSTANCE_MIGRATE: {
    id: 'OP_INSTANCE_MIGRATE',
    cls: 'OpInstanceMigrate',
    dsc: 'instance_name',
    params: [
      req('instance_name', isNEString),
      opt('instance_uuid', isNEString),
      opt('mode', oneOf('live', 'non-live')),
      opt('live', isBool),
      opt('target_node', isNEString),
      opt('target_node_uuid', isNEString),
      def('allow_runtime_changes', true, isBool),
      def('ignore_ipolicy', false, isBool),
      def('cleanup', false, isBool),
      opt('iallocator', isNEString),
      def('allow_failover', false, isBool),
      def('ignore_hvversions', false, isBool),
    ],
  },
  OP_INSTANCE_FAILOVER: {
    id: 'OP_INSTANCE_FAILOVER',
    cls: 'OpInstanceFailover',
    dsc: 'instance_name',
    params: [
      req('instance_name', isNEString),
      opt('instance_uuid', isNEString),
      shutdownTimeout('shutdown_timeout'),
      def('ignore_consistency', false, isBool),
      opt('target_node', isNEString),
      opt('target_node_uuid', isNEString),
      def('ignore_ipolicy', false, isBool),
      def('cleanup', false, isBool),
      opt('iallocator', isNEString),
    ],
  },
  OP_INSTANCE_SHUTDOWN: {
    id: 'OP_INSTANCE_SHUTDOWN',
    cls: 'OpInstanceShutdown',
    dsc: 'instance_name',
    params: [
      req('instance_name', isNEString),
      opt('instance_uuid', isNEString),
      def('force', false, isBool),
      def('ignore_offline_nodes', false, isBool),
      shutdownTimeout('timeout'),
      def('no_remember', false, isBool),
      opt('admin_state_source', oneOf('admin', 'user')),
    ],
  },
  OP_INSTANCE_STARTUP: {
    id: 'OP_INSTANCE_STARTUP',
    cls: 'OpInstanceStartup',
    dsc: 'instance_name',
    params: [
      req('instance_name', isNEString),
      opt('instance_uuid', isNEString),
      def('force', false, isBool),
      def('ignore_offline_nodes', false, isBool),
      def('hvparams', {}, isDict),
      def('beparams', {}, isDict),
      def('no_remember', false, isBool),
      def('startup_paused', false, isBool),
      shutdownTimeout('shutdown_timeout'),
    ],
  },
  OP_INSTANCE_REPLACE_DISKS: {
    id: 'OP_INSTANCE_REPLACE_DISKS',
    cls: 'OpInstanceReplaceDisks',
    dsc: 'instance_name',
    params: [
      req('instance_name', isNEString),
      opt('instance_uuid', isNEString),
      def('early_release', false, isBool),
      def('ignore_ipolicy', false, isBool),
      req('mode', oneOf('replace_on_primary', 'replace_on_secondary', 'replace_new_secondary', 'replace_auto')),
      def('disks', [], isList),
      opt('remote_node', isNEString),
      opt('remote_node_uuid', isNEString),
      opt('iallocator', isNEString),
    ],
  },
  OP_INSTANCE_ACTIVATE_DISKS: {
    id: 'OP_INSTANCE_ACTIVATE_DISKS',
    cls: 'OpInstanceActivateDisks',
    dsc: 'instance_name',
    params: [
      req('instance_name', isNEString),
      opt('instance_uuid', isNEString),
      def('ignore_size', false, isBool),
      def('wait_for_sync', false, isBool),
    ],
  },
  OP_INSTANCE_QUERY_DATA: {
    id: 'OP_INSTANCE_QUERY_DATA',
    cls: 'OpInstanceQueryData',
    dsc: null,
    params: [def('use_locking', false, isBool), def('instances', [], isStringList), def('static', false, isBool)],
  },
  OP_TAGS_SET: {
    id: 'OP_TAGS_SET',
    cls: 'OpTagsSet',
    dsc: null,
    params: [
      req('kind', oneOf('cluster', 'node', 'instance', 'nodegroup', 'network')),
      req('tags', isStringList),
      opt('name', isString),
    ],
  },
  OP_TAGS_DEL: {
    id: 'OP_TAGS_DEL',
    cls: 'OpTagsDel',
    dsc: null,
    params: [
      req('kind', oneOf('cluster', 'node', 'instance', 'nodegroup', 'network')),
      req('tags', isStringList),
      opt('name', isString),
    ],
  },
} satisfies Record<string, OpDef>;

/** An opcode's parameters; rendered in luxid's field order, optional fields only when set. */
export class OpInput {
  private readonly values = new Map<string, unknown>();
  constructor(
    readonly def: OpDef,
    values: Record<string, unknown> = {},
  ) {
    for (const [k, v] of Object.entries(values)) this.set(k, v);
  }

  get(name: string): unknown {
    return this.values.get(name);
  }
  str(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  bool(name: string): boolean | undefined {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }
  /** A value or its serialised default. */
  value(name: string): unknown {
    if (this.values.has(name)) return this.values.get(name);
    return [...COMMON, ...this.def.params].find((p) => p.name === name)?.def;
  }
  /** Sets a parameter; null or undefined unsets it (luxid drops optional fields given as null). */
  set(name: string, value: unknown): void {
    if (value === null || value === undefined) this.values.delete(name);
    else this.values.set(name, value);
  }

  get summary(): string {
    const short = this.def.id.slice('OP_'.length);
    if (this.def.dsc === null) return short;
    const v = this.values.get(this.def.dsc);
    return `${short}(${typeof v === 'string' ? v : ''})`;
  }

  /** "gnt:opcode:<op>" as luxid names it in the reason trail. */
  get reasonSource(): string {
    return `gnt:opcode:${this.def.id.slice('OP_'.length).toLowerCase()}`;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const put = (p: ParamDef) => {
      if (this.values.has(p.name)) out[p.name] = this.values.get(p.name);
      else if (p.mode === 'def') out[p.name] = p.def;
    };
    COMMON.forEach(put);
    out.OP_ID = this.def.id;
    this.def.params.forEach(put);
    return out;
  }
}

function setRepr(keys: string[]): string {
  return '{' + keys.map(pyRepr).join(', ') + '}';
}

/**
 * baserlib.FillOpcode: body parameters plus static ones (which the body may not override), checked like the
 * Python opcode class does. Throws BadRequest with Ganeti's message.
 */
export function fillOpcode(def: OpDef, body: unknown, statics: Record<string, unknown>): OpInput {
  let params: Record<string, unknown> = {};
  if (body !== null && body !== undefined) {
    if (typeof body !== 'object' || Array.isArray(body))
      throw new BadRequest(`Body contents: Type is '${pyTypeName(body)}', but 'dict' is expected`);
    params = { ...(body as Record<string, unknown>) };
  }
  const overwritten = Object.keys(params).filter((k) => k in statics);
  if (overwritten.length > 0) throw new BadRequest(`Can't overwrite static parameters ${setRepr(overwritten)}`);
  params = { ...params, ...statics };
  const all = [...COMMON, ...def.params];
  for (const key of Object.keys(params)) {
    if (!all.some((p) => p.name === key))
      throw new BadRequest(`Invalid body parameters: Object ${def.cls} doesn't support the parameter '${key}'`);
  }
  for (const p of all) {
    const value = key(params, p.name) ? params[p.name] : p.def;
    if (!p.check(value)) {
      throw new BadRequest(
        `Invalid body parameters: ${pyExceptionStr([`Parameter '${def.id}.${p.name}' fails validation`, 'wrong_input'])}`,
      );
    }
  }
  return new OpInput(def, params);
}

function key(o: Record<string, unknown>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

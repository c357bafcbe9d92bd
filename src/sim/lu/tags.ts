// Tags, as lib/cmdlib/tags.py runs them (LUTagsSet, LUTagsDel), on nodes; validation as objects.py
// TaggableObject.ValidateTag does it.
import { execError, OpError, prereq } from '../ops.js';
import { bumpNode, type LuContext, nodeLock } from './common.js';

const VALID_TAG = /^[\w.+*/:@-]+$/;

function validateTag(tag: string): void {
  if (tag.length > 128) throw new OpError('TagError', 'Tag too long (>128 characters)');
  if (tag.length === 0) throw new OpError('TagError', 'Tags cannot be empty');
  if (!VALID_TAG.test(tag)) throw new OpError('TagError', 'Tag contains invalid characters');
}

export function* tags(ctx: LuContext, add: boolean) {
  const { op } = ctx;
  if (op.get('kind') !== 'node')
    throw prereq(`Tags of kind ${String(op.get('kind'))} are not simulated`, 'wrong_input');
  const name = op.str('name') ?? '';
  const node = ctx.cluster.findNode(name);
  if (node === undefined) throw prereq(`Node '${name}' not known`, 'unknown_entity');
  yield { locks: [nodeLock(node)] };
  const list = (op.get('tags') as string[]) ?? [];
  list.forEach(validateTag);
  if (!add) {
    const missing = [...new Set(list)].filter((t) => !node.tags.has(t)).sort();
    if (missing.length > 0)
      throw prereq(`Tag(s) ${missing.map((t) => `'${t}'`).join(', ')} not found`, 'unknown_entity');
  } else if (new Set([...node.tags, ...list]).size > 4096) throw execError('Error while setting tag: Too many tags');
  if (op.get('dry_run') === true) return null;
  yield;
  for (const t of list) {
    if (add) node.tags.add(t);
    else node.tags.delete(t);
  }
  bumpNode(ctx, node);
  return null;
}

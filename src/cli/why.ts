// --reason, --ticket and --no-downtime: checked here, so what reaches Ganeti's reason trail, the monitoring
// comments, the webhooks and the audit is plain text, and a required reason is asked for before anything starts.
import type { PlanOptions } from '../plan/types.js';
import { WHY_MAX, whyProblem, type WhyField } from '../text/why.js';
import { quote } from '../util/quote.js';
import { usageError } from './exit.js';

export interface WhyFlags {
  reason?: string;
  ticket?: string;
  /** commander's --no-downtime */
  downtime?: boolean;
}

export function whyOptions(f: WhyFlags): Pick<PlanOptions, 'reason' | 'ticket' | 'noDowntime'> {
  const o: Pick<PlanOptions, 'reason' | 'ticket' | 'noDowntime'> = {};
  if (f.reason !== undefined) o.reason = checked('reason', f.reason);
  if (f.ticket !== undefined) o.ticket = checked('ticket', f.ticket);
  if (f.downtime === false) o.noDowntime = true;
  return o;
}

function checked(field: WhyField, text: string): string {
  const flag = `--${field}`;
  const t = text.trim();
  if (!t) throw usageError(`${flag}: empty`, `say it in words, e.g. ${flag} "disk replacement"`);
  switch (whyProblem(field, t)) {
    case 'control':
      throw usageError(`${flag} ${quote(t)}: control characters are not allowed`, 'use plain text');
    case 'too-long':
      throw usageError(`${flag}: longer than ${WHY_MAX[field]} characters`, 'say it shorter');
    case 'spaces':
      throw usageError(`${flag} ${quote(t)}: a ticket id has no spaces`, 'e.g. --ticket T1 or --ticket CHG-1234');
    case null:
      return t;
  }
}

/** `"requireReason": true` in the configuration: every acting command needs --reason. */
export function requireReason(required: boolean, options: Pick<PlanOptions, 'reason'>, command: string): void {
  if (required && !options.reason)
    throw usageError(
      `${command}: a reason is required ("requireReason": true in the configuration)`,
      `add --reason "why", e.g. nodevac ${command} --reason "disk replacement" --ticket T1`,
    );
}

// --reason, --ticket and --no-downtime: checked here, so what reaches Ganeti's reason trail, the monitoring
// comments, the webhooks and the audit is plain text, and a required reason is asked for before anything starts.
import type { PlanOptions } from '../plan/types.js';
import { quote } from '../util/quote.js';
import { usageError } from './exit.js';

export interface WhyFlags {
  reason?: string;
  ticket?: string;
  /** commander's --no-downtime */
  downtime?: boolean;
}

// Control characters (escape sequences, newlines) would reach other people's terminals through the trail.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function whyOptions(f: WhyFlags): Pick<PlanOptions, 'reason' | 'ticket' | 'noDowntime'> {
  const o: Pick<PlanOptions, 'reason' | 'ticket' | 'noDowntime'> = {};
  if (f.reason !== undefined) o.reason = checked('--reason', f.reason, 500);
  if (f.ticket !== undefined) {
    o.ticket = checked('--ticket', f.ticket, 100);
    if (/\s/.test(o.ticket))
      throw usageError(
        `--ticket ${quote(o.ticket)}: a ticket id has no spaces`,
        'e.g. --ticket T1 or --ticket CHG-1234',
      );
  }
  if (f.downtime === false) o.noDowntime = true;
  return o;
}

function checked(flag: string, text: string, max: number): string {
  const t = text.trim();
  if (!t) throw usageError(`${flag}: empty`, `say it in words, e.g. ${flag} "disk replacement"`);
  if (CONTROL.test(t)) throw usageError(`${flag} ${quote(t)}: control characters are not allowed`, 'use plain text');
  if (t.length > max) throw usageError(`${flag}: longer than ${max} characters`, 'say it shorter');
  return t;
}

/** `"requireReason": true` in the configuration: every acting command needs --reason. */
export function requireReason(required: boolean, options: Pick<PlanOptions, 'reason'>, command: string): void {
  if (required && !options.reason)
    throw usageError(
      `${command}: a reason is required ("requireReason": true in the configuration)`,
      `add --reason "why", e.g. nodevac ${command} --reason "disk replacement" --ticket T1`,
    );
}

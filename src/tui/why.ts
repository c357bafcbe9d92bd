// The reason and ticket typed in a confirmation, checked by the rules the CLI applies to --reason and --ticket
// (src/text/why.ts), plus a reason when the configuration requires one. Control characters cannot be typed (the
// prompt keeps printable characters only).
import { WHY_MAX, whyProblem, type WhyField } from '../text/why.js';

export type { WhyField };

/** The trimmed value, or why it is refused (a sentence saying what to type instead). */
export function checkWhy(
  field: WhyField,
  value: string,
  requireReason: boolean,
): { value: string } | { error: string } {
  const v = value.trim();
  if (!v && field === 'reason' && requireReason)
    return {
      error: 'a reason is required ("requireReason": true in the configuration): say why, e.g. disk replacement',
    };
  switch (v ? whyProblem(field, v) : null) {
    case 'control':
      return { error: `the ${field} holds control characters: use plain text` };
    case 'too-long':
      return field === 'reason'
        ? { error: `the reason is longer than ${WHY_MAX.reason} characters: say it shorter` }
        : { error: `the ticket is longer than ${WHY_MAX.ticket} characters` };
    case 'spaces':
      return { error: `ticket "${v}": a ticket id has no spaces, e.g. T1 or CHG-1234` };
    case null:
      return { value: v };
  }
}

// The rules for a reason and a ticket, one set for both faces: what reaches Ganeti's reason trail, the monitoring
// comments, the webhooks and the audit is plain text of bounded length, and a ticket id has no spaces. Each face
// words the refusal its own way (a flag on the command line, a field in the TUI's confirmation).

export type WhyField = 'reason' | 'ticket';

export const WHY_MAX: Record<WhyField, number> = { reason: 500, ticket: 100 };

// Control characters (escape sequences, newlines) would reach other people's terminals through the trail.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type WhyProblem = 'control' | 'too-long' | 'spaces';

/** What is wrong with a trimmed, non-empty reason or ticket, or null. */
export function whyProblem(field: WhyField, text: string): WhyProblem | null {
  if (CONTROL.test(text)) return 'control';
  if (text.length > WHY_MAX[field]) return 'too-long';
  if (field === 'ticket' && /\s/.test(text)) return 'spaces';
  return null;
}

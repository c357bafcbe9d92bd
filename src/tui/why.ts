// The reason and ticket typed in a confirmation, checked as the CLI checks --reason and --ticket
// (src/cli/why.ts): plain text of bounded length, a ticket without spaces, a reason when the configuration
// requires one. Control characters cannot be typed (the prompt keeps printable characters only).

export type WhyField = 'reason' | 'ticket';

/** The trimmed value, or why it is refused (a sentence saying what to type instead). */
export function checkWhy(
  field: WhyField,
  value: string,
  requireReason: boolean,
): { value: string } | { error: string } {
  const v = value.trim();
  if (field === 'reason') {
    if (!v && requireReason)
      return {
        error: 'a reason is required ("requireReason": true in the configuration): say why, e.g. disk replacement',
      };
    if (v.length > 500) return { error: 'the reason is longer than 500 characters: say it shorter' };
    return { value: v };
  }
  if (/\s/.test(v)) return { error: `ticket "${v}": a ticket id has no spaces, e.g. T1 or CHG-1234` };
  if (v.length > 100) return { error: 'the ticket is longer than 100 characters' };
  return { value: v };
}

// A failure shown in place: what went wrong and what to do, marked in words as well as in red.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { useLayout } from '../providers/layout.js';
import { wrapText, type ErrorView } from '../format.js';
import { safeText } from '../../util/quote.js';

/** A banner never takes more than this: the list it is about stays on screen. */
const MAX_LINES = 8;

function parts(error: ErrorView, width: number, title?: string): { head: string[]; hint: string[] } {
  let head = wrapText(`✗ ${title ? `${title}: ` : ''}${safeText(error.message)}`, width);
  let hint = error.hint ? wrapText(`→ ${safeText(error.hint)}`, width - 2).map((l) => `  ${l}`) : [];
  if (head.length + hint.length > MAX_LINES) {
    // Both halves keep some room: what failed and what to do.
    const headMax = Math.max(MAX_LINES - Math.min(hint.length, MAX_LINES / 2), 1);
    if (head.length > headMax) head = [...head.slice(0, headMax - 1), cut(head[headMax - 1] ?? '', width)];
    const hintMax = MAX_LINES - head.length;
    if (hint.length > hintMax) hint = [...hint.slice(0, hintMax - 1), cut(hint[hintMax - 1] ?? '', width)];
  }
  return { head, hint };
}

function cut(line: string, width: number): string {
  return `${[...line].slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** The banner's lines at a width: screens count them to leave room. */
export function bannerLines(error: ErrorView, width: number, title?: string): string[] {
  const p = parts(error, width, title);
  return [...p.head, ...p.hint];
}

export function Banner({ error, title }: { error: ErrorView; title?: string }): ReactNode {
  const { body, color } = useLayout();
  const p = parts(error, body.columns, title);
  return (
    <Box flexDirection="column">
      {p.head.map((line, i) => (
        <Text key={`h${i}`} color={color('red')} bold>
          {line}
        </Text>
      ))}
      {p.hint.map((line, i) => (
        <Text key={`t${i}`} color={color('yellow')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
